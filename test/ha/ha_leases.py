#!/usr/bin/env python3
"""Lease-file checks for the HA system tests (Kea memfile CSV, as written by kea-dhcp4
and takahe-dhcp4).

  ha_leases.py active FILE            active leases now: "address holder" per line
  ha_leases.py compare REF OTHER      REF's active leases that OTHER lacks (same address and
                                      holder): prints the count, then up to 5 of them
  ha_leases.py check [--client MAC=IP]... FILE...
                                      no address held by two clients at any time: every row of
                                      every file gives a holding interval [cltt, expire) for
                                      (address, holder); a release/reclaim/delete row of that
                                      holder (in any file) ends it. Two holders of one address
                                      whose intervals overlap are a violation. Each --client
                                      (a real client's own view) must be the holder of its
                                      address, and no two clients may report one address.
                                      Prints "ok N addresses" or one line per violation (exit 1).
A holder is the hardware address, or the client-id when the row has no hardware address.
"""
import sys
import time


def rows(path):
    cols = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split(",")
            if parts[0] == "address":
                cols = {n: i for i, n in enumerate(parts)}
                continue
            if cols is None or len(parts) < len(cols):
                continue
            try:
                valid = int(parts[cols["valid_lifetime"]])
                expire = int(parts[cols["expire"]])
                state = int(parts[cols["state"]]) if "state" in cols else 0
            except ValueError:
                continue
            hw = parts[cols["hwaddr"]].lower()
            cid = parts[cols["client_id"]].lower()
            yield parts[0], (hw or cid or "?"), valid, expire, state


def active(path, now):
    last = {}
    for addr, holder, valid, expire, state in rows(path):
        last[addr] = (holder, valid, expire, state)
    return {a: h for a, (h, v, e, s) in last.items() if v > 0 and s == 0 and e > now}


def check(files, clients):
    intervals = {}  # addr -> list of [holder, start, end]
    ends = {}  # (addr, holder) -> list of release times
    for path in files:
        for addr, holder, valid, expire, state in rows(path):
            if state == 1:
                holder = "declined"
            if valid > 0 and state in (0, 1):
                intervals.setdefault(addr, []).append([holder, expire - valid, expire])
            else:
                ends.setdefault((addr, holder), []).append(expire - valid if valid > 0 else expire)
    bad = []
    for addr, ivs in intervals.items():
        for iv in ivs:
            for t in ends.get((addr, iv[0]), []):
                if iv[1] <= t < iv[2]:
                    iv[2] = t
        holders = {}
        for h, s, e in ivs:
            holders.setdefault(h, []).append((s, e))
        names = sorted(holders)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                for sa, ea in holders[a]:
                    for sb, eb in holders[b]:
                        if min(ea, eb) > max(sa, sb):
                            bad.append(f"DUPLICATE {addr}: {a} [{sa},{ea}) and {b} [{sb},{eb})")
    now = int(time.time())
    seen = {}
    for mac, ip in clients:
        mac = mac.lower()
        if ip in seen and seen[ip] != mac:
            bad.append(f"CLIENTS {ip} reported by {seen[ip]} and {mac}")
        seen[ip] = mac
        for path in files:
            h = active(path, now).get(ip)
            if h is not None and h != mac and not h.endswith(mac):
                bad.append(f"CLIENT {mac} holds {ip} but {path} gives it to {h}")
    return bad, len(intervals)


def main(argv):
    if len(argv) >= 2 and argv[0] == "active":
        for a, h in sorted(active(argv[1], int(time.time())).items()):
            print(a, h)
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        now = int(time.time())
        ref, other = active(argv[1], now), active(argv[2], now)
        missing = [f"{a} {h}" for a, h in sorted(ref.items()) if other.get(a) != h]
        print(len(missing))
        for m in missing[:5]:
            print(m)
        return 0
    if argv and argv[0] == "check":
        clients, files, i = [], [], 1
        while i < len(argv):
            if argv[i] == "--client":
                mac, _, ip = argv[i + 1].partition("=")
                clients.append((mac, ip))
                i += 2
            else:
                files.append(argv[i])
                i += 1
        bad, n = check(files, clients)
        for b in bad:
            print(b)
        if not bad:
            print(f"ok {n} addresses")
        return 1 if bad else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
