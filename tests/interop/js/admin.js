// kafkajs 2.2.4 admin against a real sluice-broker, default settings. One step per run, with the
// same steps and effects as tests/interop/confluent_admin.py (so the test driver checks ZooKeeper
// and the broker the same way after each), plus `records`: deleteTopicRecords (DeleteRecords).
// Each step checks every result and exits non-zero with the first difference.
// Usage: node admin.js BOOTSTRAP STEP TOPIC. Prints OK <step>.
'use strict'
const { Kafka, ConfigResourceTypes, logLevel } = require('kafkajs')

const [bootstrap, step, topic] = process.argv.slice(2)

function fail(message) {
  console.error(`${step}: ${message}`)
  process.exit(1)
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

async function ledPartitions(admin, name) {
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [name] })
    return topics[0].partitions
      .filter(p => p.leader === 0 && p.partitionErrorCode === 0)
      .map(p => p.partitionId)
      .sort((a, b) => a - b)
  } catch (e) {
    if (e.type === 'UNKNOWN_TOPIC_OR_PARTITION') return null
    throw e
  }
}

async function waitPartitions(admin, name, count) {
  const deadline = Date.now() + 15000
  for (;;) {
    const got = await ledPartitions(admin, name)
    if (got && got.length === count && got.every((id, i) => id === i)) return
    if (Date.now() > deadline) fail(`${name} never showed ${count} led partitions: ${JSON.stringify(got)}`)
    await sleep(100)
  }
}

async function configsOf(admin, name) {
  const described = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name }],
    includeSynonyms: false,
  })
  if (described.resources.length !== 1) fail(`describeConfigs answered ${JSON.stringify(described)}`)
  const resource = described.resources[0]
  if (resource.errorCode !== 0 || resource.resourceName !== name) fail(`describeConfigs: ${JSON.stringify(resource)}`)
  return new Map(resource.configEntries.map(e => [e.configName, e]))
}

function expectConfig(configs, name, value, isDefault) {
  const entry = configs.get(name)
  if (!entry) fail(`describeConfigs has no ${name}`)
  if (entry.configValue !== value || entry.isDefault !== isDefault) {
    fail(`${name}: ${JSON.stringify(entry)}, want ${value} (default ${isDefault})`)
  }
}

async function expectCreateError(admin, spec, want) {
  try {
    const created = await admin.createTopics({ topics: [spec], timeout: 10000 })
    // kafkajs turns TOPIC_ALREADY_EXISTS into `false` instead of throwing.
    if (!created && want === 'TOPIC_ALREADY_EXISTS') return
    fail(`creating ${spec.topic} answered ${created}`)
  } catch (e) {
    const types = e.errors ? e.errors.map(x => x.type) : [e.type]
    if (types.length !== 1 || types[0] !== want) fail(`creating ${spec.topic}: ${e} ${types}, want ${want}`)
  }
}

async function main() {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } })
  const admin = kafka.admin()
  await admin.connect()
  if (step === 'create') {
    const created = await admin.createTopics({
      topics: [{
        topic,
        numPartitions: 2,
        replicationFactor: 1,
        configEntries: [{ name: 'retention.ms', value: '3600000' }, { name: 'max.message.bytes', value: '200000' }],
      }],
      timeout: 10000,
    })
    if (created !== true) fail(`createTopics answered ${created}`)
    await waitPartitions(admin, topic, 2)
    const configs = await configsOf(admin, topic)
    expectConfig(configs, 'retention.ms', '3600000', false)
    expectConfig(configs, 'max.message.bytes', '200000', false)
    expectConfig(configs, 'cleanup.policy', 'delete', true)
  } else if (step === 'alter') {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{
        type: ConfigResourceTypes.TOPIC,
        name: topic,
        configEntries: [{ name: 'max.message.bytes', value: '1000' }, { name: 'retention.ms', value: '3600000' }],
      }],
    })
    const configs = await configsOf(admin, topic)
    expectConfig(configs, 'max.message.bytes', '1000', false)
    expectConfig(configs, 'retention.ms', '3600000', false)
    const producer = kafka.producer()
    await producer.connect()
    // The config applies when the broker's /config/changes notification arrives (as in Kafka):
    // retried, bounded, until the big record is refused.
    const deadline = Date.now() + 10000
    for (;;) {
      try {
        await producer.send({ topic, messages: [{ value: Buffer.alloc(2000, 'x'), partition: 0 }] })
      } catch (e) {
        if (e.type !== 'MESSAGE_TOO_LARGE') fail(`the 2000-byte record: ${e}, want MESSAGE_TOO_LARGE`)
        break
      }
      if (Date.now() > deadline) fail('the 2000-byte record was accepted')
      await sleep(200)
    }
    await producer.send({ topic, messages: [{ value: Buffer.alloc(500, 'y'), partition: 1 }] })
    await producer.disconnect()
  } else if (step === 'records') {
    // Five records in partition 1, then everything before offset 3 deleted.
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic, messages: [0, 1, 2, 3, 4].map(i => ({ value: `r${i}`, partition: 1 })) })
    await producer.disconnect()
    const before = (await admin.fetchTopicOffsets(topic)).find(p => p.partition === 1)
    const end = Number(before.high)
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 1, offset: String(end - 2) }] })
    const after = (await admin.fetchTopicOffsets(topic)).find(p => p.partition === 1)
    if (Number(after.low) !== end - 2 || Number(after.high) !== end) {
      fail(`after deleteTopicRecords to ${end - 2}: ${JSON.stringify(after)} (before ${JSON.stringify(before)})`)
    }
  } else if (step === 'partitions') {
    await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }], timeout: 10000 })
    await waitPartitions(admin, topic, 4)
  } else if (step === 'delete') {
    await admin.deleteTopics({ topics: [topic], timeout: 10000 })
    const deadline = Date.now() + 15000
    while ((await ledPartitions(admin, topic)) !== null) {
      if (Date.now() > deadline) fail('topic still listed 15 s after deleteTopics')
      await sleep(100)
    }
  } else if (step === 'errors') {
    await expectCreateError(admin, { topic, numPartitions: 1, replicationFactor: 1 }, 'TOPIC_ALREADY_EXISTS')
    await expectCreateError(admin, { topic: 'bad name!', numPartitions: 1 }, 'INVALID_TOPIC_EXCEPTION')
    await expectCreateError(admin, { topic: `${topic}-rf3`, numPartitions: 1, replicationFactor: 3 },
      'INVALID_REPLICATION_FACTOR')
    await expectCreateError(admin, {
      topic: `${topic}-compact`, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
    }, 'INVALID_CONFIG')
    // waitForLeaders off: kafkajs would otherwise wait for the leaders of a topic that must not exist.
    await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: `${topic}-validate`, numPartitions: 1 }] })
    if ((await ledPartitions(admin, `${topic}-validate`)) !== null) fail('validateOnly createTopics created the topic')
    const refusals = [
      [() => admin.createPartitions({ topicPartitions: [{ topic, count: 1 }] }), 'INVALID_PARTITIONS'],
      [() => admin.deleteTopics({ topics: [`${topic}-missing`] }), 'UNKNOWN_TOPIC_OR_PARTITION'],
      [() => admin.alterConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: 'soon' }] }],
      }), 'INVALID_CONFIG'],
      [() => admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: `${topic}-missing` }] }),
        'UNKNOWN_TOPIC_OR_PARTITION'],
    ]
    for (const [call, want] of refusals) {
      let error = null
      try {
        await call()
      } catch (e) {
        error = e
      }
      // deleteTopics retries UNKNOWN_TOPIC_OR_PARTITION (retriable in kafkajs), then wraps it.
      const cause = error && error.cause ? error.cause : error
      const type = cause && (cause.type || (cause.errors && cause.errors[0] && cause.errors[0].type))
      if (type !== want) fail(`${call}: ${error}, want ${want}`)
    }
    if ((await admin.createTopics({ topics: [{ topic: `${topic}-after`, numPartitions: 1 }], timeout: 10000 })) !== true) {
      fail('creating a good topic after the errors failed')
    }
    await waitPartitions(admin, `${topic}-after`, 1)
  } else {
    fail('unknown step')
  }
  await admin.disconnect()
  console.log(`OK ${step}`)
}

main().catch(e => fail(`${e.stack || e}`))
