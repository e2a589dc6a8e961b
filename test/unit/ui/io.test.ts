import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCaptureIO } from '../../../src/ui/io.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escape codes
const ANSI = /\u001b\[/;

describe('colour per stream', () => {
  const write = (io: ReturnType<typeof createCaptureIO>['io']) => {
    io.out(io.style.green('result'));
    io.err(io.errStyle.red('progress'));
  };

  it('stdout piped, stderr a terminal: no ANSI code on stdout, colour on stderr', () => {
    const capture = createCaptureIO({ color: true, stdoutTTY: false, stderrTTY: true });
    write(capture.io);
    assert.equal(capture.stdout(), 'result\n');
    assert.match(capture.stderr(), ANSI);
  });

  it('stdout a terminal, stderr redirected: colour on stdout only', () => {
    const capture = createCaptureIO({ color: true, stdoutTTY: true, stderrTTY: false });
    write(capture.io);
    assert.match(capture.stdout(), ANSI);
    assert.equal(capture.stderr(), 'progress\n');
  });

  it('NO_COLOR and --no-color turn both off', () => {
    for (const options of [{ color: true, env: { NO_COLOR: '1' } }, { color: false }]) {
      const capture = createCaptureIO({ ...options, tty: true });
      write(capture.io);
      assert.equal(capture.stdout() + capture.stderr(), 'result\nprogress\n');
    }
  });
});
