"""Prints the first of COUNT consecutive free TCP ports on 127.0.0.1 (default 1), for shell tests
and benchmarks. The ports come from below the kernel's ephemeral range, as tests/support/net.cc's
free_port() does: a port the kernel hands out for outgoing connections can be taken by a
parallel test's client between this check and the server's bind ("Address already in use")."""
import random
import socket
import sys


def ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    high = ephemeral_low()
    for _ in range(500):
        base = random.randrange(high // 2, high - count)
        held = []
        try:
            for port in range(base, base + count):
                s = socket.socket()
                s.bind(("127.0.0.1", port))
                held.append(s)
            print(base)
            return
        except OSError:
            pass
        finally:
            for s in held:
                s.close()
    sys.exit("no %d consecutive free ports below %d" % (count, high))


if __name__ == "__main__":
    main()
