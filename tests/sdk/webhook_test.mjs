// The official Bitrix24 JS SDK (@bitrix24/b24jssdk) talks to b24-emulator through an
// incoming-webhook URL over HTTPS, the way an integrator's server-side code would.
// tests/sdk/run.sh starts the emulator and sets B24_WEBHOOK_URL; the tests share state
// and run in file order (node:test runs top-level tests one after another).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiVersion, B24Hook } from '@bitrix24/b24jssdk';

const webhookUrl = process.env.B24_WEBHOOK_URL;
assert.ok(webhookUrl, 'set B24_WEBHOOK_URL, e.g. https://127.0.0.1:PORT/rest/1/CODE/');
// Checks https and the /rest/<userId>/<secret> shape; IP hosts are accepted.
const b24 = B24Hook.fromWebhookUrl(webhookUrl);
const webhookUserId = webhookUrl.match(/\/rest\/(\d+)\//)[1];
const v2 = b24.actions.v2; // v2 = the classic /rest/<user>/<secret>/<method> protocol

// Unique per run, so the assertions cannot be satisfied by leads from an earlier run.
const marker = `sdk-${process.pid}-${Date.now()}`;
const PHONE = '+15550100';
const BULK = 120;
const opts = { timeout: 60_000 }; // the SDK retries with back-off; don't wait forever

let leadId; // set by the add test
let bulkIds = []; // set by the batch test

// Unwraps an AjaxResult so a failure shows the portal's error, not a bare `undefined`.
function resultOf(response) {
  assert.ok(response.isSuccess, `REST call failed: ${response.getErrorMessages().join('; ')}`);
  return response.getData().result;
}

test('crm.lead.add returns a positive integer id', opts, async () => {
  const result = resultOf(await v2.call.make({
    method: 'crm.lead.add',
    params: { fields: { TITLE: `${marker} first`, NAME: 'Ivan', PHONE: [{ VALUE: PHONE, VALUE_TYPE: 'WORK' }] } },
  }));
  assert.ok(Number.isInteger(result) && result > 0, `expected a positive integer id, got ${JSON.stringify(result)}`);
  leadId = result;
});

test('crm.lead.get returns the lead with string-typed numbers', opts, async () => {
  assert.ok(leadId, 'needs the lead from the add test');
  const lead = resultOf(await v2.call.make({ method: 'crm.lead.get', params: { id: leadId } }));
  assert.equal(lead.ID, String(leadId));
  assert.equal(lead.TITLE, `${marker} first`);
  assert.equal(lead.NAME, 'Ivan');
  assert.ok(Array.isArray(lead.PHONE), `PHONE should be a multifield array, got ${JSON.stringify(lead.PHONE)}`);
  assert.equal(lead.PHONE[0]?.VALUE, PHONE);
});

test('batchByChunk adds leads, chunked at 50 per batch', opts, async () => {
  const calls = Array.from({ length: BULK }, (_, i) => ['crm.lead.add', { fields: { TITLE: `${marker} bulk ${i}`, NAME: `Bulk${i}` } }]);
  const response = await v2.batchByChunk.make({ calls, options: { isHaltOnError: true } });
  assert.ok(response.isSuccess, `batch failed: ${response.getErrorMessages().join('; ')}`);
  bulkIds = response.getData();
  assert.equal(bulkIds.length, BULK);
  for (const id of bulkIds) assert.ok(Number.isInteger(id) && id > 0, `bad id ${JSON.stringify(id)}`);
  assert.equal(new Set([...bulkIds, leadId]).size, BULK + 1, 'ids must be unique');
});

// Every lead this run created must be among the listed ids, each listed once.
function assertFullList(ids) {
  assert.ok(ids.length >= BULK + 1, `listed only ${ids.length} leads`);
  assert.equal(new Set(ids).size, ids.length, 'listed ids must be unique');
  const listed = new Set(ids);
  for (const id of [leadId, ...bulkIds]) assert.ok(listed.has(String(id)), `lead ${id} missing from the list`);
}

test('fetchList pages crm.lead.list by ID cursor', opts, async () => {
  assert.equal(bulkIds.length, BULK, 'needs the leads from the batch test');
  // fetchList rather than callList: a generator we can stop, so a server that ignores
  // the `>ID` cursor fails this test instead of looping forever and hanging the run.
  const rows = [];
  let pages = 0;
  for await (const page of v2.fetchList.make({ method: 'crm.lead.list', params: { select: ['ID', 'TITLE'] } })) {
    assert.ok(++pages <= 100, 'paging does not terminate');
    rows.push(...page);
  }
  assertFullList(rows.map((row) => row.ID));
  assert.equal(rows.find((row) => row.ID === String(leadId))?.TITLE, `${marker} first`);
});

// The classic start/next offset paging (what other Bitrix24 clients use), via AjaxResult.getNext.
test('getNext pages crm.lead.list by start offset, honouring total', opts, async () => {
  assert.equal(bulkIds.length, BULK, 'needs the leads from the batch test');
  let page = await v2.call.make({ method: 'crm.lead.list', params: { order: { ID: 'ASC' }, select: ['ID'], start: 0 } });
  const total = page.getTotal();
  const ids = [];
  for (let pages = 0; page; pages++) {
    assert.ok(pages < 100, 'paging does not terminate');
    ids.push(...resultOf(page).map((row) => row.ID));
    page = await page.getNext(b24.getHttpClient(ApiVersion.v2));
  }
  assert.equal(ids.length, total, 'rows fetched should equal the reported total');
  assertFullList(ids);
});

test('batch of mixed commands returns each result under its key', opts, async () => {
  assert.equal(bulkIds.length, BULK, 'needs the leads from the batch test');
  const response = await v2.batch.make({
    calls: {
      first: ['crm.lead.get', { id: leadId }],
      bulk: ['crm.lead.get', { id: bulkIds[7] }],
      me: ['user.current', {}],
    },
    options: { isHaltOnError: true },
  });
  assert.ok(response.isSuccess, `batch failed: ${response.getErrorMessages().join('; ')}`);
  const { first, bulk, me } = response.getData();
  assert.equal(first?.ID, String(leadId));
  assert.equal(first?.TITLE, `${marker} first`);
  assert.equal(bulk?.ID, String(bulkIds[7]));
  assert.equal(bulk?.TITLE, `${marker} bulk 7`);
  assert.equal(me?.ID, webhookUserId);
});
