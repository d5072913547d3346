"""Issue 5's group benchmark client (confluent-kafka / librdkafka 2.0.2 under /usr/bin/python3).

commits BOOTSTRAP TOPIC PARTITIONS PER_REQUEST SECONDS
    Synchronous OffsetCommit requests from one consumer (group "bench-commits", no subscription:
    librdkafka sends the "simple" generation -1 commit), each naming PER_REQUEST partitions of
    TOPIC (cycling over its PARTITIONS) at a new offset, for SECONDS. Prints
    "COMMITS per_request=N requests=R partitions_per_s=X p50_ms=A p99_ms=B".
rebalance BOOTSTRAP TOPIC MEMBERS HEARTBEAT_MS
    MEMBERS consumers (one thread each) join group "bench-rebalance-<pid>" on TOPIC; once every
    partition is owned, one member closes (LeaveGroup), and the time until every remaining member
    holds its new assignment (covering every partition) is printed:
    "REBALANCE members=N heartbeat_ms=H first_ms=A settled_ms=B".
Every wait is bounded; a failure exits non-zero with a one-line reason."""
import os
import sys
import threading
import time

from confluent_kafka import Consumer, TopicPartition


def commits(bootstrap, topic, partitions, per_request, seconds):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-commits", "enable.auto.commit": False})
    latencies = []
    offset = 1
    start = time.monotonic()
    next_partition = 0
    while time.monotonic() - start < seconds:
        batch = []
        for _ in range(per_request):
            batch.append(TopicPartition(topic, next_partition, offset))
            next_partition = (next_partition + 1) % partitions
        t0 = time.monotonic()
        result = consumer.commit(offsets=batch, asynchronous=False)
        latencies.append(time.monotonic() - t0)
        for tp in result:
            if tp.error is not None:
                sys.exit("commit failed for %s-%d: %s" % (tp.topic, tp.partition, tp.error))
        offset += 1
    elapsed = time.monotonic() - start
    consumer.close()
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    print("COMMITS per_request=%d requests=%d partitions_per_s=%.0f p50_ms=%.2f p99_ms=%.2f" %
          (per_request, len(latencies), len(latencies) * per_request / elapsed, pick(0.5), pick(0.99)))


def rebalance(bootstrap, topic, members, heartbeat_ms):
    group = "bench-rebalance-%d" % os.getpid()
    lock = threading.Lock()
    assigned = {}   # member -> (time, set of partitions)
    stop = [False] * members
    consumers = []

    def run(i):
        def on_assign(consumer, partitions):
            with lock:
                assigned[i] = (time.monotonic(), {p.partition for p in partitions})

        def on_revoke(consumer, partitions):
            with lock:
                assigned.pop(i, None)

        c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                      "session.timeout.ms": 30000, "heartbeat.interval.ms": heartbeat_ms})
        consumers.append(c)
        c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
        while not stop[i]:
            c.poll(0.05)
        c.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(members)]
    for t in threads:
        t.start()

    def settled(live):
        with lock:
            if set(assigned) != live:
                return False
            owned = [p for _, parts in assigned.values() for p in parts]
        return len(owned) == len(set(owned)) and len(owned) > 0

    def wait(predicate, seconds, what):
        deadline = time.monotonic() + seconds
        while not predicate():
            if time.monotonic() > deadline:
                for i in range(members):
                    stop[i] = True
                sys.exit("timed out waiting for " + what)
            time.sleep(0.005)

    everyone = set(range(members))
    wait(lambda: settled(everyone), 120, "the first assignment")
    with lock:
        total = sum(len(parts) for _, parts in assigned.values())
    time.sleep(1)
    leaving = members - 1
    t0 = time.monotonic()
    stop[leaving] = True
    threads[leaving].join(60)
    rest = everyone - {leaving}

    def covered():
        if not settled(rest):
            return False
        with lock:
            return sum(len(parts) for _, parts in assigned.values()) == total

    wait(covered, 120, "the assignment after a member left")
    with lock:
        times = [t for t, _ in assigned.values()]
    print("REBALANCE members=%d heartbeat_ms=%d first_ms=%.0f settled_ms=%.0f" %
          (members, heartbeat_ms, (min(times) - t0) * 1000, (max(times) - t0) * 1000))
    for i in range(members):
        stop[i] = True
    for t in threads:
        t.join(60)


def main(argv):
    if len(argv) == 7 and argv[1] == "commits":
        commits(argv[2], argv[3], int(argv[4]), int(argv[5]), float(argv[6]))
    elif len(argv) == 6 and argv[1] == "rebalance":
        rebalance(argv[2], argv[3], int(argv[4]), int(argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
