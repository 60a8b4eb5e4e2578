// The official `openai` npm client against `edge-rt-async serve` on a loopback port:
// a streamed chat completion, a greedy non-streamed completion whose text equals
// `edge-rt-async run --temp 0` for the same prompt and token count, models.list(), and a bad
// request surfacing as the client's typed error (APIError, BadRequestError, status 400).
//
//   node openai_client_test.mjs CLI MODEL
import { spawn, execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [cli, model] = process.argv.slice(2);
const PROMPT = 'Once upon a time';
const TOKENS = 24;

function startServer() {
  const child = spawn(cli, ['serve', model, '--port', '0', '--api-key-env', 'EDGE_RT_TEST_KEY'],
                      { env: { ...process.env, EDGE_RT_TEST_KEY: 'sk-test-key' }, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error('serve did not start: ' + err)), 60000);
    child.stderr.on('data', (d) => {
      err += d.toString();
      const m = err.match(/listening on http:\/\/([^\s]+)/);
      if (m) { clearTimeout(timer); resolve({ child, base: 'http://' + m[1], log: () => err }); }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

const { child, base, log } = await startServer();
let failed = false;
try {
  const client = new OpenAI({ baseURL: base + '/v1', apiKey: 'sk-test-key', maxRetries: 0 });

  // models.list(): the one model.
  const models = [];
  for await (const m of client.models.list()) models.push(m);
  assert.equal(models.length, 1);
  const id = models[0].id;
  assert.ok(id.length > 0);
  console.log('models.list():', id);

  // Greedy completion == the CLI's greedy run.
  const completion = await client.completions.create({ model: id, prompt: PROMPT, max_tokens: TOKENS, temperature: 0 });
  const expected = execFileSync(cli, ['run', '-m', model, '--temp', '0', '-n', String(TOKENS), '-p', PROMPT],
                                { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  assert.equal(PROMPT + completion.choices[0].text, expected.replace(/\n$/, ''));
  assert.equal(completion.choices[0].finish_reason, 'length');
  assert.equal(completion.usage.completion_tokens, TOKENS);
  console.log('completion == run --temp 0:', JSON.stringify(completion.choices[0].text));

  // Streamed chat completion: role first, text deltas, a finish reason, usage, [DONE].
  const stream = await client.chat.completions.create({
    model: id, stream: true, max_tokens: 16, temperature: 0, stream_options: { include_usage: true },
    messages: [{ role: 'system', content: 'You tell stories.' }, { role: 'user', content: 'Tell me a story.' }],
  });
  let text = '', role = null, finish = null, usage = null, chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      role ??= c.delta.role ?? null;
      text += c.delta.content ?? '';
      finish = c.finish_reason ?? finish;
    }
  }
  assert.equal(role, 'assistant');
  assert.ok(text.length > 0);
  assert.ok(['stop', 'length'].includes(finish));
  assert.ok(usage && usage.prompt_tokens > 0 && usage.completion_tokens > 0 && usage.completion_tokens <= 16);
  console.log(`streamed chat: ${chunks} chunks, finish ${finish}:`, JSON.stringify(text));

  // A bad request is the client's typed error.
  await assert.rejects(
    client.completions.create({ model: id, prompt: PROMPT, max_tokens: 0 }),
    (e) => e instanceof OpenAI.APIError && e instanceof OpenAI.BadRequestError && e.status === 400 &&
           e.param === 'max_tokens');
  // A wrong key is AuthenticationError (401), and the key is never in the log.
  const wrong = new OpenAI({ baseURL: base + '/v1', apiKey: 'sk-wrong', maxRetries: 0 });
  await assert.rejects(wrong.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
  assert.ok(!log().includes('sk-test-key') && !log().includes('sk-wrong'));
  console.log('errors: BadRequestError 400, AuthenticationError 401');
} catch (e) {
  failed = true;
  console.error(e);
  console.error('server log:\n' + log());
} finally {
  child.kill('SIGTERM');
}
process.exit(failed ? 1 : 0);
