#!/usr/bin/env python3
# A chat room with names, for --room=json: clients connect with
# ?name=alice; everyone sees "alice joined", "alice: hi" and "alice left".
# Run: websocketd --port=8080 --room=json examples/rooms/json/chat.py

import json
import sys
from urllib.parse import parse_qs

names = {}  # client id -> name


def say(text, **target):
    print(json.dumps({"data": text, **target}), flush=True)


for line in sys.stdin:
    event = json.loads(line)
    client = event["client"]
    if event["event"] == "join":
        name = parse_qs(event["query"]).get("name", [""])[0].strip()[:32]
        if not name or name in names.values():
            # Refuse the client: the process decides who is in the room.
            print(json.dumps({"close": client, "code": 4000,
                              "reason": "pick a name nobody here has"}), flush=True)
            continue
        names[client] = name
        say("%s joined (%d here)" % (name, len(names)))
    elif event["event"] == "message" and client in names:
        say("%s: %s" % (names[client], event.get("data", "(binary)")))
    elif event["event"] == "leave" and client in names:
        say("%s left" % names.pop(client))
