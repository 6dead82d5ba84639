import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { RepeatLog, type Occurrence } from '../../../lib/logging/repeat-log.js';
import { ManualClock } from '../../fixtures/manual-clock.js';

class Lines extends Logger {
  readonly written: string[] = [];
  override warn(message: string) {
    this.written.push(message);
  }
}

const occurrence = (name: string): Occurrence => ({
  level: 'warn',
  first: () => `${name} happened`,
  repeats: (count, seconds) => `${name} happened ${count} more times in ${seconds} s`,
});

describe('RepeatLog', () => {
  it('writes the first occurrence, counts repeats, and summarises them when the window ends', () => {
    const logger = new Lines();
    const clock = new ManualClock(0);
    const log = new RepeatLog(logger, clock, 60_000);
    for (let i = 0; i < 1000; i++) log.note('a', occurrence('a'));
    expect(logger.written).toEqual(['a happened']);
    clock.advance(60);
    log.note('a', occurrence('a'));
    expect(logger.written).toEqual([
      'a happened',
      'a happened 999 more times in 60 s',
      'a happened',
    ]);
  });

  it('keeps kinds apart and writes pending summaries on flush', () => {
    const logger = new Lines();
    const log = new RepeatLog(logger, new ManualClock(0), 60_000);
    log.note('a', occurrence('a'));
    log.note('b', occurrence('b'));
    log.note('b', occurrence('b'));
    log.flush();
    expect(logger.written).toEqual(['a happened', 'b happened', 'b happened 1 more times in 1 s']);
  });

  it('closes a window by itself, so the end of a burst is reported without a later occurrence', async () => {
    const logger = new Lines();
    const log = new RepeatLog(logger, new ManualClock(0), 20);
    log.note('a', occurrence('a'));
    log.note('a', occurrence('a'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logger.written).toEqual(['a happened', 'a happened 1 more times in 1 s']);
  });

  it('stays bounded when kinds keep coming: past 1000 open kinds, all are summarised', () => {
    const logger = new Lines();
    const log = new RepeatLog(logger, new ManualClock(0), 60_000);
    for (let i = 0; i <= 1000; i++) {
      log.note(`k${i}`, occurrence(`k${i}`));
      log.note(`k${i}`, occurrence(`k${i}`));
    }
    expect(logger.written.filter((line) => line.includes('more times'))).toHaveLength(1000);
    log.flush();
  });
});
