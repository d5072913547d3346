// Drives the web console in Debian's headless Chromium through playwright-core (no browser
// download). Usage: node console_check.js <url> <dir> <kill-broker-id>
// Phase 1: waits (bounded) until the page shows the cluster, writes <dir>/phase1.json with what
// the page shows, and a screenshot. Then waits for <dir>/go (the test SIGKILLs the broker), and,
// without reloading, waits until that broker's column is greyed out and no partition shows it
// as leader; writes <dir>/phase2.json. Exit 0 on success; a one-line reason on stderr otherwise.
"use strict";
const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const [url, dir, killArg] = process.argv.slice(2);
const killed = Number(killArg);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

// What the page shows: brokers (from the table and the picture), partitions' leaders.
function snapshot() {
  const cols = [...document.querySelectorAll("#picture .broker-col")].map((c) => ({
    broker: Number(c.dataset.broker),
    dead: c.classList.contains("dead"),
    blocks: [...c.querySelectorAll(".replica")].map((b) => ({
      topic: b.dataset.topic, partition: Number(b.dataset.partition),
      leader: b.classList.contains("leader"), outOfIsr: b.classList.contains("out-of-isr"),
    })),
  }));
  const partitions = [...document.querySelectorAll("#topics tbody tr")].map((r) => ({
    topic: r.dataset.topic, partition: Number(r.dataset.partition),
    leader: Number(r.querySelector("td.leader").textContent),
  }));
  const brokers = [...document.querySelectorAll("#brokers tbody tr")].map((r) => ({
    broker: Number(r.dataset.broker), alive: r.classList.contains("alive"),
  }));
  return { cols, partitions, brokers, summary: document.getElementById("summary").textContent };
}

async function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

async function main() {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    // Root in a container: Chromium's sandbox needs user namespaces it may not get here.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    timeout: 30000,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url, { timeout: 15000 });
    await page.waitForFunction(() => {
      const cols = document.querySelectorAll("#picture .broker-col");
      return cols.length >= 3 && document.querySelectorAll("#topics tbody tr").length > 0 &&
        document.querySelectorAll("#brokers tbody tr").length >= 3;
    }, null, { timeout: 30000, polling: 200 });
    const first = await page.evaluate(snapshot);
    first.title = await page.title();
    first.errors = errors.slice();
    // Written whole, then renamed: the test reads the file as soon as it appears.
    fs.writeFileSync(path.join(dir, "phase1.json.tmp"), JSON.stringify(first));
    fs.renameSync(path.join(dir, "phase1.json.tmp"), path.join(dir, "phase1.json"));
    await page.screenshot({ path: path.join(dir, "phase1.png"), fullPage: true });

    const deadline = Date.now() + 60000;
    while (!fs.existsSync(path.join(dir, "go"))) {
      if (Date.now() > deadline) throw new Error("no go file within 60 s");
      await sleep(100);
    }
    await page.waitForFunction((id) => {
      const col = document.querySelector(`#picture .broker-col[data-broker="${id}"]`);
      if (!col || !col.classList.contains("dead")) return false;
      if (col.querySelector(".replica.leader")) return false;
      return ![...document.querySelectorAll("#topics tbody td.leader")].some((td) => td.textContent === String(id));
    }, killed, { timeout: 45000, polling: 200 });
    const second = await page.evaluate(snapshot);
    second.errors = errors.slice();
    fs.writeFileSync(path.join(dir, "phase2.json"), JSON.stringify(second));
    await page.screenshot({ path: path.join(dir, "phase2.png"), fullPage: true });
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`console_check: ${e.message.split("\n")[0]}\n`);
  process.exit(1);
});
