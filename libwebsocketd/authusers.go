package libwebsocketd

import (
	"crypto/rand"
	"fmt"
	"slices"

	"golang.org/x/crypto/bcrypt"
)

// authUsers is one reading of the htpasswd file: the users' hashes, and a
// decoy hash for every bcrypt cost among them.
//
// A check must take the same time whether the name exists or not, or the
// response time lists the users. So every check does the same bcrypt work,
// whatever the name: one comparison at each cost the file uses, the user's
// own hash at its cost and a decoy at each of the others (decoys only, for
// an unknown name). The work being the same, comparison for comparison,
// whatever slows the machine slows every name alike. Padding each check to
// a time measured once would not hold that way: under load the slowest
// path outgrows the measured time, and the difference shows again. The
// price is the sum of the file's distinct costs, which is less than twice
// the highest alone, since each cost step doubles the work.
type authUsers struct {
	hashes map[string][]byte
	costs  map[string]int // each user's bcrypt cost
	decoys map[int][]byte // for each cost in the file, a hash no password matches
	order  []int          // the costs of decoys, ascending
}

func newAuthUsers(hashes map[string][]byte) (*authUsers, error) {
	u := &authUsers{hashes: hashes, costs: map[string]int{}, decoys: map[int][]byte{}}
	for user, hash := range hashes {
		cost, err := bcrypt.Cost(hash)
		if err != nil {
			return nil, fmt.Errorf("user %q: %w", user, err)
		}
		u.costs[user] = cost
		if u.decoys[cost] == nil {
			if u.decoys[cost], err = decoyHash(cost); err != nil {
				return nil, err
			}
			u.order = append(u.order, cost)
		}
	}
	slices.Sort(u.order)
	return u, nil
}

// verify reports whether password is user's, after one comparison at each
// of the file's costs (see authUsers for why).
func (u *authUsers) verify(compare func(hash, password []byte) error, user string, password []byte) bool {
	hash, known := u.hashes[user]
	ownCost := u.costs[user] // 0, no cost at all, for an unknown name
	matched := false
	for _, cost := range u.order {
		own := known && cost == ownCost
		against := u.decoys[cost]
		if own {
			against = hash
		}
		if compare(against, password) == nil && own {
			matched = true
		}
	}
	return matched
}

// decoyHash makes a well-formed bcrypt hash of the given cost that no
// password matches: the hash of a random password made at the lowest cost,
// its cost field then raised. A comparison against it hashes the candidate
// at the cost the field says, which is what a decoy is for; making it costs
// only the lowest cost, so that reading a file with expensive entries does
// not hold up start-up or a reload.
func decoyHash(cost int) ([]byte, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(rand.Text()), bcrypt.MinCost)
	if err != nil {
		return nil, err
	}
	// "$2a$04$<salt and hash>": the cost is the two digits at 4 and 5.
	copy(hash[4:6], fmt.Sprintf("%02d", cost))
	return hash, nil
}
