#!/usr/bin/env python3
"""Minimal DHCPv4 relay-agent client for the HA system tests.

Sends DHCP messages to a server as a relay would (giaddr = --relay, from
--relay:67), so a test can drive exactly one client with a chosen hardware
address, `secs` value and message type, and see which server answered.

  relay4.py --relay 192.0.2.9 --server 192.0.2.11 --mac 02:00:00:00:00:01 dora [--secs N]
  relay4.py ... renew --ip A --server-id S      (REQUEST with ciaddr, unicast renew)
  relay4.py ... release --ip A --server-id S

Prints one line per reply: "<type> yiaddr=<a> server-id=<s>", exits 0 when the
exchange completed (ACK for dora/renew; release has no reply), 1 otherwise.
"""
import argparse
import random
import socket
import struct
import sys

TYPES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK", 7: "RELEASE"}


def build(mtype, mac, xid, secs, giaddr, ciaddr="0.0.0.0", req_ip=None, server_id=None):
    hw = bytes(int(x, 16) for x in mac.split(":"))
    pkt = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 1, xid, secs, 0,
                      socket.inet_aton(ciaddr), b"\0" * 4, b"\0" * 4,
                      socket.inet_aton(giaddr), hw.ljust(16, b"\0"), b"", b"")
    opts = b"\x63\x82\x53\x63" + bytes([53, 1, mtype])
    opts += bytes([61, 7, 1]) + hw
    if req_ip:
        opts += bytes([50, 4]) + socket.inet_aton(req_ip)
    if server_id:
        opts += bytes([54, 4]) + socket.inet_aton(server_id)
    return pkt + opts + b"\xff"


def parse(data):
    if len(data) < 240:
        return None
    xid = struct.unpack("!I", data[4:8])[0]
    yiaddr = socket.inet_ntoa(data[16:20])
    opts, i, mtype, sid = data[240:], 0, None, None
    while i < len(opts) and opts[i] != 255:
        if opts[i] == 0:
            i += 1
            continue
        code, ln = opts[i], opts[i + 1]
        val = opts[i + 2:i + 2 + ln]
        if code == 53:
            mtype = val[0]
        elif code == 54:
            sid = socket.inet_ntoa(val)
        i += 2 + ln
    return xid, mtype, yiaddr, sid


def exchange(sock, server, pkt, xid, timeout):
    sock.sendto(pkt, (server, 67))
    sock.settimeout(timeout)
    try:
        while True:
            data, _ = sock.recvfrom(2048)
            r = parse(data)
            if r and r[0] == xid:
                print(f"{TYPES.get(r[1], r[1])} yiaddr={r[2]} server-id={r[3]}")
                return r
    except socket.timeout:
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--relay", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--mac", required=True)
    ap.add_argument("--secs", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=2.0)
    ap.add_argument("--ip")
    ap.add_argument("--server-id")
    ap.add_argument("action", choices=["dora", "renew", "release"])
    a = ap.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.relay, 67))
    xid = random.getrandbits(32)
    if a.action == "dora":
        r = exchange(s, a.server, build(1, a.mac, xid, a.secs, a.relay), xid, a.timeout)
        if not r or r[1] != 2:
            return 1
        r = exchange(s, a.server, build(3, a.mac, xid, a.secs, a.relay, req_ip=r[2], server_id=r[3]),
                     xid, a.timeout)
        return 0 if r and r[1] == 5 else 1
    if a.action == "renew":
        r = exchange(s, a.server, build(3, a.mac, xid, a.secs, a.relay, ciaddr=a.ip), xid, a.timeout)
        return 0 if r and r[1] == 5 else 1
    s.sendto(build(7, a.mac, xid, 0, a.relay, ciaddr=a.ip, server_id=a.server_id), (a.server, 67))
    return 0


if __name__ == "__main__":
    sys.exit(main())
