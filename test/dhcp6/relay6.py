#!/usr/bin/env python3
"""A DHCPv6 relay agent with a client behind it, for system tests (RFC 8415 §19).

Builds the client's SOLICIT and REQUEST (and RELEASE), wraps each in one or two RELAY-FORW
layers (the layer next to the client carries LINK as link-address and an interface-id), sends
them from [BIND]:547 to [SERVER]:547 and unwraps the RELAY-REPL answers. Prints key=value lines:
  advertise=ADDR  reply=ADDR  status=CODE  interface_id=HEX  hops=N  released=CODE
and exits 0 when the exchange completed (the caller judges the values), 1 otherwise.

Usage: relay6.py --server ADDR --bind ADDR --link ADDR [--nested] [--release] [--timeout S]
"""
import argparse
import ipaddress
import os
import socket
import struct
import sys

SOLICIT, ADVERTISE, REQUEST, REPLY, RELEASE, RELAY_FORW, RELAY_REPL = 1, 2, 3, 7, 8, 12, 13
OPT_CLIENTID, OPT_SERVERID, OPT_IA_NA, OPT_IAADDR, OPT_ORO = 1, 2, 3, 5, 6
OPT_ELAPSED, OPT_RELAY_MSG, OPT_STATUS, OPT_INTERFACE_ID = 8, 9, 13, 18


def opt(code, data):
    return struct.pack("!HH", code, len(data)) + data


def options(data):
    """(code, payload) pairs; raises ValueError on a truncated option."""
    out, i = [], 0
    while i < len(data):
        if i + 4 > len(data):
            raise ValueError("truncated option header")
        code, length = struct.unpack_from("!HH", data, i)
        if i + 4 + length > len(data):
            raise ValueError(f"option {code} overruns the message")
        out.append((code, data[i + 4:i + 4 + length]))
        i += 4 + length
    return out


def find(opts, code):
    return next((d for c, d in opts if c == code), None)


def ia_na(iaid, addr=None):
    body = struct.pack("!III", iaid, 0, 0)
    if addr is not None:
        body += opt(OPT_IAADDR, ipaddress.IPv6Address(addr).packed + struct.pack("!II", 0, 0))
    return opt(OPT_IA_NA, body)


def parse_ia_na(data):
    """(address or None, status code or None) of an IA_NA payload."""
    addr, status = None, None
    for code, d in options(data[12:]):
        if code == OPT_IAADDR and len(d) >= 24:
            addr = str(ipaddress.IPv6Address(d[:16]))
            for c2, d2 in options(d[24:]):
                if c2 == OPT_STATUS and len(d2) >= 2:
                    status = struct.unpack_from("!H", d2)[0]
        elif code == OPT_STATUS and len(d) >= 2:
            status = struct.unpack_from("!H", d)[0]
    return addr, status


class Relay:
    def __init__(self, args):
        self.args = args
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((args.bind, 547))
        self.sock.settimeout(args.timeout)
        self.interface_id = b"relay-port-7"
        self.duid = struct.pack("!HH", 3, 1) + bytes.fromhex("02aabbccdd01")  # DUID-LL
        self.xid = int.from_bytes(os.urandom(3), "big")

    def wrap(self, msg):
        inner = struct.pack("!BB", RELAY_FORW, 0) + ipaddress.IPv6Address(self.args.link).packed
        inner += ipaddress.IPv6Address("fe80::2aa:bbff:fecc:dd01").packed
        inner += opt(OPT_INTERFACE_ID, self.interface_id) + opt(OPT_RELAY_MSG, msg)
        if not self.args.nested:
            return inner
        # An outer relay closer to the server: hop-count 1, link-address unspecified.
        outer = struct.pack("!BB", RELAY_FORW, 1) + bytes(16)
        outer += ipaddress.IPv6Address(self.args.bind).packed
        return outer + opt(OPT_INTERFACE_ID, b"outer") + opt(OPT_RELAY_MSG, inner)

    def unwrap(self, data):
        """The client message inside the RELAY-REPL layers; records the inner interface-id."""
        hops = 0
        while data and data[0] == RELAY_REPL:
            if len(data) < 34:
                raise ValueError("truncated RELAY-REPL")
            opts = options(data[34:])
            iid = find(opts, OPT_INTERFACE_ID)
            if iid is not None:
                self.seen_interface_id = iid
            data = find(opts, OPT_RELAY_MSG)
            if data is None:
                raise ValueError("RELAY-REPL without relay-msg")
            hops += 1
        self.hops = hops
        return data

    def exchange(self, msg_type, extra, want):
        msg = struct.pack("!I", (msg_type << 24) | self.xid)[0:4]
        msg += opt(OPT_CLIENTID, self.duid) + opt(OPT_ELAPSED, b"\0\0") + extra
        self.sock.sendto(self.wrap(msg), (self.args.server, 547))
        while True:
            data, _ = self.sock.recvfrom(4096)
            inner = self.unwrap(data)
            if len(inner) >= 4 and inner[0] == want and int.from_bytes(inner[1:4], "big") == self.xid:
                return options(inner[4:])

    def run(self):
        oro = opt(OPT_ORO, struct.pack("!H", 23))
        adv = self.exchange(SOLICIT, ia_na(7) + oro, ADVERTISE)
        server_id = find(adv, OPT_SERVERID)
        addr, status = parse_ia_na(find(adv, OPT_IA_NA) or b"\0" * 12)
        print(f"advertise={addr or ''}")
        if server_id is None or addr is None:
            print(f"status={status if status is not None else ''}")
            return 1
        self.xid = (self.xid + 1) & 0xFFFFFF
        rep = self.exchange(REQUEST, opt(OPT_SERVERID, server_id) + ia_na(7, addr) + oro, REPLY)
        got, status = parse_ia_na(find(rep, OPT_IA_NA) or b"\0" * 12)
        print(f"reply={got or ''}")
        print(f"status={status if status is not None else 0}")
        print(f"interface_id={getattr(self, 'seen_interface_id', b'').hex()}")
        print(f"hops={self.hops}")
        if self.args.release and got:
            self.xid = (self.xid + 1) & 0xFFFFFF
            rel = self.exchange(RELEASE, opt(OPT_SERVERID, server_id) + ia_na(7, got), REPLY)
            st = find(rel, OPT_STATUS)
            print(f"released={struct.unpack_from('!H', st)[0] if st and len(st) >= 2 else ''}")
        return 0 if got else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True)
    p.add_argument("--bind", required=True)
    p.add_argument("--link", required=True)
    p.add_argument("--nested", action="store_true")
    p.add_argument("--release", action="store_true")
    p.add_argument("--timeout", type=float, default=5.0)
    args = p.parse_args()
    try:
        return Relay(args).run()
    except (OSError, ValueError) as e:
        print(f"error={e}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
