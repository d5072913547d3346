"""kafka-python 2.0.2 KafkaAdminClient against a real sluice-broker, default settings (the client
picks every request version from what the broker advertises). One step per run, with the same
steps and effects as confluent_admin.py, so the test driver checks ZooKeeper and the broker the
same way after each; each step checks the results and exits non-zero with the first difference.
Usage: kafka_python_admin.py BOOTSTRAP STEP TOPIC. Prints OK <step>."""
import sys
import time

from kafka import KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewPartitions, NewTopic
from kafka.errors import (InvalidConfigurationError, InvalidPartitionsError, InvalidReplicationFactorError,
                          InvalidTopicError, MessageSizeTooLargeError, TopicAlreadyExistsError,
                          UnknownTopicOrPartitionError)

bootstrap, step, topic = sys.argv[1:4]
admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=20000)


def fail(message):
    sys.exit("%s: %s" % (step, message))


def check_errors(response, what):
    for entry in getattr(response, "topic_errors", []) + getattr(response, "topic_error_codes", []):
        if entry[1] != 0:
            fail("%s: %r" % (what, entry))


def partitions_of(name):
    """Partition ids led by broker 0, from a fresh Metadata request; None if the topic is unknown."""
    topics = admin.describe_topics([name])
    if len(topics) != 1 or topics[0]["topic"] != name:
        fail("describe_topics answered %r" % topics)
    if topics[0]["error_code"] != 0:
        return None
    return sorted(p["partition"] for p in topics[0]["partitions"] if p["leader"] == 0 and p["error_code"] == 0)


def wait_partitions(name, count):
    deadline = time.time() + 15
    while True:
        got = partitions_of(name)
        if got == list(range(count)):
            return
        if time.time() > deadline:
            fail("%s never showed %d led partitions: %r" % (name, count, got))
        time.sleep(0.1)


def configs_of(name):
    responses = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
    if len(responses) != 1 or len(responses[0].resources) != 1:
        fail("describe_configs answered %r" % responses)
    error_code, error_message, _type, resource_name, entries = responses[0].resources[0]
    if error_code != 0 or resource_name != name:
        fail("describe_configs: error %d %r for %r" % (error_code, error_message, resource_name))
    # (name, value, read_only, is_default or config_source, is_sensitive[, synonyms])
    return {e[0]: e for e in entries}


def expect_config(configs, name, value, is_override):
    entry = configs.get(name)
    if entry is None:
        fail("describe_configs has no %s" % name)
    # v0 carries is_default (False for an override); v1+ carries config_source (1 = topic override).
    version_override = (entry[3] is False) if isinstance(entry[3], bool) else entry[3] == 1
    if entry[1] != value or version_override != is_override:
        fail("%s: %r, want %r (override %r)" % (name, entry, value, is_override))


if step == "create":
    response = admin.create_topics([NewTopic(topic, 2, 1, topic_configs={
        "retention.ms": "3600000", "max.message.bytes": "200000"})], timeout_ms=10000)
    check_errors(response, "create_topics")
    wait_partitions(topic, 2)
    configs = configs_of(topic)
    expect_config(configs, "retention.ms", "3600000", True)
    expect_config(configs, "max.message.bytes", "200000", True)
    expect_config(configs, "cleanup.policy", "delete", False)
elif step == "alter":
    response = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={
        "max.message.bytes": "1000", "retention.ms": "3600000"})])
    for error_code, error_message, _type, name in response.resources:
        if error_code != 0:
            fail("alter_configs %s: %d %r" % (name, error_code, error_message))
    configs = configs_of(topic)
    expect_config(configs, "max.message.bytes", "1000", True)
    expect_config(configs, "retention.ms", "3600000", True)
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    # The config applies when the broker's /config/changes notification arrives (as in Kafka):
    # retried, bounded, until the big record is refused.
    deadline = time.time() + 10
    while True:
        try:
            producer.send(topic, value=b"x" * 2000, partition=0).get(timeout=20)
        except MessageSizeTooLargeError:
            break
        if time.time() > deadline:
            fail("the 2000-byte record was accepted")
        time.sleep(0.2)
    producer.send(topic, value=b"y" * 500, partition=1).get(timeout=20)
    producer.close(5)
elif step == "partitions":
    response = admin.create_partitions({topic: NewPartitions(4)}, timeout_ms=10000)
    check_errors(response, "create_partitions")
    wait_partitions(topic, 4)
elif step == "delete":
    response = admin.delete_topics([topic], timeout_ms=10000)
    check_errors(response, "delete_topics")
    deadline = time.time() + 15
    while partitions_of(topic) is not None:
        if time.time() > deadline:
            fail("topic still listed 15 s after delete_topics")
        time.sleep(0.1)
elif step == "errors":
    cases = [
        (NewTopic(topic, 1, 1), TopicAlreadyExistsError),
        (NewTopic("bad name!", 1, 1), InvalidTopicError),
        (NewTopic(topic + "-rf3", 1, 3), InvalidReplicationFactorError),
        (NewTopic(topic + "-compact", 1, 1, topic_configs={"cleanup.policy": "compact"}), InvalidConfigurationError),
    ]
    for new_topic, want in cases:
        try:
            admin.create_topics([new_topic], timeout_ms=10000)
            fail("creating %r succeeded" % new_topic.name)
        except want:
            pass
        except Exception as e:
            fail("creating %r: %r, want %s" % (new_topic.name, e, want.__name__))
    check_errors(admin.create_topics([NewTopic(topic + "-validate", 1, 1)], validate_only=True), "validate_only")
    if partitions_of(topic + "-validate") is not None:
        fail("validate_only create_topics created the topic")
    for call, want in [(lambda: admin.create_partitions({topic: NewPartitions(1)}), InvalidPartitionsError),
                       (lambda: admin.delete_topics([topic + "-missing"]), UnknownTopicOrPartitionError)]:
        try:
            call()
            fail("succeeded, want %s" % want.__name__)
        except want:
            pass
    missing = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic + "-missing")])
    if missing[0].resources[0][0] != UnknownTopicOrPartitionError.errno:
        fail("describe_configs of a missing topic: %r" % (missing[0].resources,))
    bad = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={"retention.ms": "soon"})])
    if bad.resources[0][0] != InvalidConfigurationError.errno:
        fail("alter_configs retention.ms=soon: %r" % (bad.resources,))
    expect_config(configs_of(topic), "retention.ms", "604800000", False)
    check_errors(admin.create_topics([NewTopic(topic + "-after", 1, 1)], timeout_ms=10000), "create_topics")
    wait_partitions(topic + "-after", 1)
else:
    fail("unknown step")
admin.close()
print("OK %s" % step)
