"""Two confluent-kafka (librdkafka) consumers in one group share a topic's partitions.

confluent_group_share.py BOOTSTRAP TOPIC GROUP PARTITIONS

Both consumers subscribe to TOPIC in GROUP and are polled in turn until each owns a non-empty
set of partitions, the two sets are disjoint and together cover 0..PARTITIONS-1 (bounded:
45 s). Prints "A p,p B p,p" and exits 0; otherwise exits 1 with a one-line reason.
"""
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition


def main():
    bootstrap, topic, group, partitions = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    owned = {"A": set(), "B": set()}
    errors = []

    def consumer(name):
        def on_assign(c, assigned):
            owned[name] = {tp.partition for tp in assigned}
            # Explicit start offsets: librdkafka then asks for no committed offsets (OffsetFetch
            # belongs to the offsets half of the coordinator, not exercised here).
            c.assign([TopicPartition(tp.topic, tp.partition, OFFSET_BEGINNING) for tp in assigned])

        def on_revoke(c, revoked):
            owned[name] = set()

        c = Consumer({
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "client.id": "share-" + name,
            "session.timeout.ms": 6000,
            "heartbeat.interval.ms": 500,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "error_cb": lambda err: errors.append(err.name()),
        })
        c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
        return c

    a = consumer("A")
    b = consumer("B")
    deadline = time.time() + 45
    done = False
    while time.time() < deadline:
        a.poll(0.1)
        b.poll(0.1)
        sa, sb = owned["A"], owned["B"]
        if sa and sb and not (sa & sb) and (sa | sb) == set(range(partitions)):
            done = True
            break
    line = "A %s B %s" % (",".join(map(str, sorted(owned["A"]))), ",".join(map(str, sorted(owned["B"]))))
    a.close()
    b.close()
    if not done:
        print("no disjoint covering assignment within 45 s: %s errors %s" % (line, sorted(set(errors))))
        return 1
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
