"""kafka-python 2.0.2 producer and consumer against one broker, default settings but for the
codec: no api_version is given, so kafka-python guesses the broker's version from the ranges in
ApiVersions v0 (and picks its record format, Produce/Fetch versions and allowed codecs from that).
Records with keys and headers must come back byte-exact and in order.
Usage: kafka_python_roundtrip.py BOOTSTRAP TOPIC CODEC. Prints OK <n> api_version=<guess>."""
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from records import check_same, sent_records

bootstrap, topic, codec = sys.argv[1:4]
sent = sent_records()
producer = KafkaProducer(bootstrap_servers=bootstrap, compression_type=None if codec == "none" else codec)
guessed = producer.config["api_version"]
futures = [producer.send(topic, key=key, value=value, headers=headers, partition=0) for key, value, headers in sent]
producer.flush(30)
for future in futures:
    future.get(timeout=30)  # raises the broker's error for a failed batch
producer.close(10)

consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
partition = TopicPartition(topic, 0)
consumer.assign([partition])
consumer.seek(partition, 0)
got = []
deadline = time.monotonic() + 30
while len(got) < len(sent) and time.monotonic() < deadline:
    for records in consumer.poll(timeout_ms=1000).values():
        got.extend((r.key, r.value, list(r.headers)) for r in records)
consumer.close()
check_same(sent, got)
print("OK %d api_version=%s" % (len(got), ".".join(str(part) for part in guessed)))
