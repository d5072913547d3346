"""confluent-kafka (librdkafka 2.0.2) producer and consumer against one broker, default settings
but for the codec: records with keys and headers must come back byte-exact and in order.
Usage: confluent_roundtrip.py BOOTSTRAP TOPIC CODEC. Prints OK <n>."""
import sys

from confluent_kafka import Consumer, Producer, TopicPartition

from records import check_same, sent_records

bootstrap, topic, codec = sys.argv[1:4]
sent = sent_records()
producer = Producer({"bootstrap.servers": bootstrap, "compression.codec": codec, "message.timeout.ms": 20000})
failures = []
for key, value, headers in sent:
    producer.produce(topic, value=value, key=key, headers=headers, partition=0,
                     on_delivery=lambda err, msg: failures.append(err) if err else None)
if producer.flush(30) != 0:
    sys.exit("records still undelivered after 30 s")
if failures:
    sys.exit("delivery failed: %s" % failures[0])
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "interop", "enable.auto.commit": False})
consumer.assign([TopicPartition(topic, 0, 0)])
got = []
while len(got) < len(sent):
    msg = consumer.poll(20)
    if msg is None:
        sys.exit("timed out after %d records" % len(got))
    if msg.error():
        sys.exit("consume error: %s" % msg.error())
    got.append((msg.key(), msg.value(), [(k, v if v is not None else b"") for k, v in (msg.headers() or [])]))
consumer.close()
check_same(sent, got)
print("OK %d" % len(got))
