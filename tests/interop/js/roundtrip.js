// kafkajs 2.2.4 against one broker, default settings but for the codec (none or gzip, the ones
// kafkajs has built in). Produces records with keys and headers, then fetches them back through
// kafkajs's own Broker.fetch (kafkajs's consumer needs consumer groups), which sends Fetch on the
// broker's second pooled connection: that connection never sends ApiVersions. Records must come
// back byte-exact and in order. Usage: node roundtrip.js BOOTSTRAP TOPIC CODEC.
// Prints OK <n> fetch_connections=<c> with_api_versions=<a>.
'use strict'
const { Kafka, CompressionTypes, logLevel } = require('kafkajs')
const Connection = require('kafkajs/src/network/connection')

const [bootstrap, topic, codec] = process.argv.slice(2)
const count = 50

// Which requests each connection sent, to show where Fetch went.
const requestsOf = new Map()
const send = Connection.prototype.send
Connection.prototype.send = function (protocolRequest) {
  if (!requestsOf.has(this)) requestsOf.set(this, [])
  requestsOf.get(this).push(protocolRequest.request.apiName)
  return send.call(this, protocolRequest)
}

function record(i) {
  const value = Buffer.alloc((i * 5) % 256)
  for (let b = 0; b < value.length; ++b) value[b] = b
  return {
    key: Buffer.from(`key-${i}`),
    value: Buffer.concat([value, Buffer.from(`value-${i}|`.repeat(8)), Buffer.from([255, 0, 128])]),
    headers: { h: Buffer.from(`v${i}`), e: Buffer.alloc(0) },
  }
}

function fail(message) {
  console.error(message)
  process.exit(1)
}

async function main() {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.WARN })
  const sent = Array.from({ length: count }, (_, i) => record(i))
  const producer = kafka.producer()
  await producer.connect()
  const compression = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP }[codec]
  if (compression === undefined) fail(`kafkajs has no built-in codec ${codec}`)
  // Two batches, so the log holds more than one.
  for (const part of [sent.slice(0, 20), sent.slice(20)]) {
    await producer.send({ topic, compression, messages: part.map(r => ({ ...r, partition: 0 })) })
  }
  await producer.disconnect()

  const createCluster = Object.getOwnPropertySymbols(kafka).find(s => s.description === 'private:Kafka:createCluster')
  const cluster = kafka[createCluster]({})
  await cluster.connect()
  await cluster.addTargetTopic(topic)
  const metadata = cluster.findTopicPartitionMetadata(topic).find(p => p.partitionId === 0)
  if (!metadata) fail(`no metadata for ${topic}-0`)
  const broker = await cluster.findBroker({ nodeId: metadata.leader })
  const got = []
  let offset = 0n
  const deadline = Date.now() + 30000
  while (got.length < count && Date.now() < deadline) {
    const response = await broker.fetch({
      maxWaitTime: 500,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: offset.toString(), maxBytes: 1048576 }] }],
    })
    for (const partition of response.responses[0].partitions) {
      if (partition.errorCode !== 0) fail(`fetch error ${partition.errorCode}`)
      for (const message of partition.messages) {
        if (BigInt(message.offset) < offset) continue // a batch starts before the fetch offset
        got.push(message)
        offset = BigInt(message.offset) + 1n
      }
    }
  }
  await cluster.disconnect()

  if (got.length !== count) fail(`got ${got.length} records, sent ${count}`)
  got.forEach((m, i) => {
    const want = sent[i]
    const headerNames = Object.keys(m.headers || {}).sort().join(',')
    if (BigInt(m.offset) !== BigInt(i)) fail(`record ${i} has offset ${m.offset}`)
    if (!want.key.equals(m.key) || !want.value.equals(m.value)) fail(`record ${i} differs`)
    if (headerNames !== 'e,h' || !want.headers.h.equals(m.headers.h) || !want.headers.e.equals(m.headers.e)) {
      fail(`record ${i} headers differ: ${JSON.stringify(m.headers)}`)
    }
  })
  const fetching = [...requestsOf.values()].filter(names => names.includes('Fetch'))
  const withApiVersions = fetching.filter(names => names.includes('ApiVersions'))
  console.log(`OK ${got.length} fetch_connections=${fetching.length} with_api_versions=${withApiVersions.length}`)
}

main().catch(error => fail(`${error.name}: ${error.message}`))
