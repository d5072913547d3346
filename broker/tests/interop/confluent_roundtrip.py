"""confluent_kafka producer + consumer against one broker: records with keys and headers must come
back byte-exact and in order. Usage: confluent_roundtrip.py BOOTSTRAP TOPIC CODEC. Prints OK <n>."""
import sys

from confluent_kafka import Consumer, Producer, TopicPartition

bootstrap, topic, codec = sys.argv[1:4]
sent = [(b"key-%d" % i, bytes(range(i % 256)) + b"value-%d" % i, [("h", b"v%d" % i), ("e", b"")])
        for i in range(50)]
producer = Producer({"bootstrap.servers": bootstrap, "compression.codec": codec, "linger.ms": 5,
                     "api.version.request": True, "message.timeout.ms": 20000})
failures = []
for key, value, headers in sent:
    producer.produce(topic, value=value, key=key, headers=headers, partition=0,
                     on_delivery=lambda err, msg: failures.append(err) if err else None)
producer.flush(30)
if failures:
    sys.exit("delivery failed: %s" % failures[0])
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "interop", "enable.auto.commit": False,
                     "auto.offset.reset": "earliest"})
consumer.assign([TopicPartition(topic, 0, 0)])
got = []
while len(got) < len(sent):
    msg = consumer.poll(20)
    if msg is None:
        sys.exit("timed out after %d records" % len(got))
    if msg.error():
        continue
    got.append((msg.key(), msg.value(), [(k, v) for k, v in (msg.headers() or [])]))
consumer.close()
for i, (want, have) in enumerate(zip(sent, got)):
    if (want[0], want[1], want[2]) != have:
        sys.exit("record %d differs: %r != %r" % (i, have, want))
print("OK %d" % len(got))
