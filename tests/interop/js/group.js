// kafkajs 2.2.4 in a consumer group, default settings (RoundRobinAssigner, automatic commits after
// each batch): joins GROUP, reads TOPIC from the committed offsets (the beginning when none), and
// stops once it has EXPECT records and one more second passed without a record beyond them.
// disconnect() commits and leaves the group. Usage: node group.js BOOTSTRAP TOPIC GROUP EXPECT.
// Prints one line per record, "PARTITION OFFSET VALUE", then OK <n>.
'use strict'
const { Kafka, logLevel } = require('kafkajs')

const [bootstrap, topic, group, expectText] = process.argv.slice(2)
const expect = Number(expectText)

async function main() {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.WARN })
  const consumer = kafka.consumer({ groupId: group })
  const seen = []
  let last = Date.now()
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      seen.push(`${partition} ${message.offset} ${message.value.toString()}`)
      last = Date.now()
    },
  })
  const deadline = Date.now() + 90000
  while (Date.now() < deadline && !(seen.length >= expect && Date.now() - last > 1000)) {
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  await consumer.disconnect()
  for (const line of seen) console.log(line)
  console.log(`OK ${seen.length}`)
  if (seen.length < expect) process.exit(1)
}

main().catch(e => {
  console.error(`kafkajs: ${e.message}`)
  process.exit(1)
})
