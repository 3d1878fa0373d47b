/* ProcessPrng for Wine 8.0, which lacks it: Go's Windows runtime (1.22 and
   later) gets its random bytes from bcryptprimitives.dll's ProcessPrng.
   This DLL stands in for bcryptprimitives.dll under Wine in the tests and
   hands the call to RtlGenRandom (advapi32's SystemFunction036). */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x7fffffff ? 0x7fffffff : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
