"""confluent-kafka 1.7.0 (librdkafka 2.0.2) AdminClient against a real sluice-broker, default
settings. One step per run, so that the test driver can look at ZooKeeper and the broker between
steps; each step checks every result the client hands back and exits non-zero with the first
difference. The binding has no incremental_alter_configs and no delete_records (both arrived in
later releases); the driver covers those through other clients.
Usage: confluent_admin.py BOOTSTRAP STEP TOPIC
Steps:
  create      create TOPIC (2 partitions, retention.ms=3600000, max.message.bytes=200000), then
              list_topics and describe_configs show it
  alter       alter_configs max.message.bytes=1000 (retention.ms kept), describe_configs shows it,
              a 2000-byte record gets MSG_SIZE_TOO_LARGE from the broker, a 500-byte one lands
  partitions  create_partitions to 4, list_topics shows 4 partitions with leaders
  delete      delete_topics; list_topics no longer shows TOPIC
  errors      TOPIC exists: create it again, an invalid name, replication factor 3, and
              cleanup.policy=compact each fail with Kafka's error; then a fresh topic is created
Prints OK <step>."""
import sys
import time

from confluent_kafka import KafkaError, Producer
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

bootstrap, step, topic = sys.argv[1:4]
admin = AdminClient({"bootstrap.servers": bootstrap})


def fail(message):
    sys.exit("%s: %s" % (step, message))


def only_result(futures):
    if len(futures) != 1:
        fail("expected one future, got %r" % futures)
    return list(futures.values())[0].result(timeout=20)


def topic_metadata(name):
    # All topics: asked by name, librdkafka's producer-type handle would have it auto-created.
    md = admin.list_topics(timeout=20)
    return md.topics.get(name)


def wait_partitions(name, count):
    deadline = time.time() + 15
    while True:
        t = topic_metadata(name)
        if t is not None and t.error is None and len(t.partitions) == count and \
                all(p.leader >= 0 and p.error is None for p in t.partitions.values()):
            return t
        if time.time() > deadline:
            fail("topic %s never showed %d led partitions: %r" % (name, count, t and t.partitions))
        time.sleep(0.1)


def configs_of(name):
    entries = only_result(admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, name)]))
    return {key: entry for key, entry in entries.items()}


def expect_config(configs, name, value, is_default):
    entry = configs.get(name)
    if entry is None:
        fail("describe_configs has no %s" % name)
    if entry.value != value or entry.is_default != is_default:
        fail("%s = %r (default %r), want %r (default %r)" % (name, entry.value, entry.is_default, value, is_default))


def create_error(new_topic):
    try:
        only_result(admin.create_topics([new_topic], operation_timeout=10))
    except Exception as e:  # KafkaException carrying a KafkaError
        return e.args[0]
    fail("creating %s succeeded" % new_topic.topic)


if step == "create":
    only_result(admin.create_topics(
        [NewTopic(topic, num_partitions=2, replication_factor=1,
                  config={"retention.ms": "3600000", "max.message.bytes": "200000"})], operation_timeout=10))
    t = wait_partitions(topic, 2)
    for p in t.partitions.values():
        if p.leader != 0 or p.replicas != [0] or p.isrs != [0]:
            fail("partition %d: leader %d replicas %r isr %r" % (p.id, p.leader, p.replicas, p.isrs))
    configs = configs_of(topic)
    expect_config(configs, "retention.ms", "3600000", False)
    expect_config(configs, "max.message.bytes", "200000", False)
    expect_config(configs, "cleanup.policy", "delete", True)
elif step == "alter":
    # AlterConfigs replaces the whole set: what is not listed returns to the default.
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic,
                              set_config={"max.message.bytes": "1000", "retention.ms": "3600000"})
    only_result(admin.alter_configs([resource]))
    configs = configs_of(topic)
    expect_config(configs, "max.message.bytes", "1000", False)
    expect_config(configs, "retention.ms", "3600000", False)
    producer = Producer({"bootstrap.servers": bootstrap, "message.timeout.ms": 15000})
    results = {}  # partition -> delivery error (None: delivered)

    def report(err, msg):
        results[msg.partition()] = err

    # The broker applies a topic config change when its /config/changes notification arrives,
    # shortly after the write (as Kafka does): a record may slip in before that, so the big one
    # is retried until refused (bounded).
    deadline = time.time() + 10
    while True:
        producer.produce(topic, value=b"x" * 2000, partition=0, on_delivery=report)
        if producer.flush(20) != 0:
            fail("the 2000-byte record still undelivered after 20 s")
        if results.get(0) is not None or time.time() > deadline:
            break
        time.sleep(0.2)
    producer.produce(topic, value=b"y" * 500, partition=1, on_delivery=report)
    if producer.flush(20) != 0:
        fail("records still undelivered after 20 s")
    if sorted(results) != [0, 1]:
        fail("delivery reports for partitions %r" % sorted(results))
    big, small = results[0], results[1]
    if big is None or big.code() != KafkaError.MSG_SIZE_TOO_LARGE:
        fail("the 2000-byte record: %r, want MSG_SIZE_TOO_LARGE" % big)
    if small is not None:
        fail("the 500-byte record: %r" % small)
elif step == "partitions":
    only_result(admin.create_partitions([NewPartitions(topic, 4)], operation_timeout=10))
    wait_partitions(topic, 4)
elif step == "delete":
    only_result(admin.delete_topics([topic], operation_timeout=10))
    deadline = time.time() + 15
    while topic_metadata(topic) is not None and topic_metadata(topic).error is None:
        if time.time() > deadline:
            fail("topic still listed 15 s after delete_topics")
        time.sleep(0.1)
elif step == "errors":
    cases = [
        (NewTopic(topic, num_partitions=1, replication_factor=1), KafkaError.TOPIC_ALREADY_EXISTS),
        (NewTopic("bad name!", num_partitions=1, replication_factor=1), KafkaError.TOPIC_EXCEPTION),
        (NewTopic(topic + "-rf3", num_partitions=1, replication_factor=3), KafkaError.INVALID_REPLICATION_FACTOR),
        (NewTopic(topic + "-compact", num_partitions=1, replication_factor=1,
                  config={"cleanup.policy": "compact"}), KafkaError.INVALID_CONFIG),
    ]
    for new_topic, want in cases:
        err = create_error(new_topic)
        if err.code() != want:
            fail("creating %r: %s, want %s" % (new_topic.topic, err, KafkaError(want).name()))
        if want == KafkaError.INVALID_CONFIG and "compact" not in err.str():
            fail("the INVALID_CONFIG message does not say why: %r" % err.str())
    # Requests that must change nothing.
    only_result(admin.create_topics([NewTopic(topic + "-validate", 1, 1)], validate_only=True))
    if topic_metadata(topic + "-validate") is not None:
        fail("validate_only create_topics created the topic")
    for call, want in [
        (lambda: admin.create_partitions([NewPartitions(topic, 1)]), KafkaError.INVALID_PARTITIONS),
        (lambda: admin.delete_topics([topic + "-missing"], operation_timeout=10), KafkaError.UNKNOWN_TOPIC_OR_PART),
        (lambda: admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic + "-missing")]),
         KafkaError.UNKNOWN_TOPIC_OR_PART),
        (lambda: admin.alter_configs([ConfigResource(ConfigResource.Type.TOPIC, topic + "-missing",
                                                     set_config={"retention.ms": "1000"})]),
         KafkaError.UNKNOWN_TOPIC_OR_PART),
        (lambda: admin.alter_configs([ConfigResource(ConfigResource.Type.TOPIC, topic,
                                                     set_config={"retention.ms": "soon"})]), KafkaError.INVALID_CONFIG),
        (lambda: admin.alter_configs([ConfigResource(ConfigResource.Type.TOPIC, topic,
                                                     set_config={"no.such.config": "1"})]), KafkaError.INVALID_CONFIG),
        (lambda: admin.alter_configs([ConfigResource(ConfigResource.Type.TOPIC, topic,
                                                     set_config={"cleanup.policy": "compact"})]),
         KafkaError.INVALID_CONFIG),
    ]:
        try:
            only_result(call())
            fail("succeeded, want %s" % KafkaError(want).name())
        except Exception as e:
            err = e.args[0] if e.args and isinstance(e.args[0], KafkaError) else None
            if err is None or err.code() != want:
                fail("%r, want %s" % (e, KafkaError(want).name()))
    only_result(admin.alter_configs([ConfigResource(ConfigResource.Type.TOPIC, topic,
                                                    set_config={"max.message.bytes": "5"})], validate_only=True))
    expect_config(configs_of(topic), "max.message.bytes", "1048588", True)
    broker_configs = only_result(admin.describe_configs([ConfigResource(ConfigResource.Type.BROKER, "0")]))
    for name, value in [("num.partitions", "3"), ("auto.create.topics.enable", "true"), ("broker.id", "0")]:
        entry = broker_configs.get(name)
        if entry is None or entry.value != value:
            fail("broker config %s: %r, want %s" % (name, entry, value))
    # The broker keeps serving: a good request right after.
    only_result(admin.create_topics([NewTopic(topic + "-after", 1, 1)], operation_timeout=10))
    wait_partitions(topic + "-after", 1)
else:
    fail("unknown step")
print("OK %s" % step)
