import { describe, expect, it } from "vitest";
import { MAX_POLL_MS, pollDelay, Poller, type PollEnv, type PollState } from "../src/lib/poll";

/** A tab and a clock the test moves by hand. */
class FakeTab implements PollEnv {
  hidden = false;
  timers: { fn: () => void; ms: number; id: number }[] = [];
  visibleListeners = new Set<() => void>();
  private next = 1;

  isHidden = () => this.hidden;
  watchVisibility = (onVisible: () => void) => {
    this.visibleListeners.add(onVisible);
    return () => this.visibleListeners.delete(onVisible);
  };
  setTimer = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.timers.push({ fn, ms, id });
    return id;
  };
  clearTimer = (handle: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== handle);
  };

  /** Runs the one pending timer and returns the wait it was set for. */
  async fire(): Promise<number> {
    expect(this.timers).toHaveLength(1);
    const [timer] = this.timers;
    this.timers = [];
    timer.fn();
    await settle();
    return timer.ms;
  }

  async show(): Promise<void> {
    this.hidden = false;
    for (const listener of this.visibleListeners) listener();
    await settle();
  }
}

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** A poller whose requests answer from `answers` (true: ok), with the wait = 100 * 2^hidden style of the pages. */
function poller(tab: FakeTab, answers: boolean[], delay: (s: PollState) => number | null = (s) => pollDelay(100, s, 1_000, () => 0)) {
  const calls: PollState[] = [];
  const p = new Poller({
    tick: async () => {
      calls.push({ ...p.state });
      return answers.shift() ?? true;
    },
    delay,
    env: tab,
  });
  return { p, calls };
}

describe("pollDelay", () => {
  const calm = { hiddenPolls: 0, failures: 0 };

  it("waits the base while the tab is visible and requests succeed", () => {
    expect(pollDelay(2_000, calm)).toBe(2_000);
    expect(pollDelay(15_000, calm, 5 * 60_000)).toBe(15_000);
  });

  it("doubles the wait per hidden poll, up to the cap", () => {
    expect(pollDelay(2_000, { hiddenPolls: 1, failures: 0 })).toBe(4_000);
    expect(pollDelay(2_000, { hiddenPolls: 3, failures: 0 })).toBe(16_000);
    expect(pollDelay(2_000, { hiddenPolls: 20, failures: 0 })).toBe(MAX_POLL_MS);
    expect(pollDelay(15_000, { hiddenPolls: 2, failures: 0 }, 5 * 60_000)).toBe(60_000);
    expect(pollDelay(15_000, { hiddenPolls: 9, failures: 0 }, 5 * 60_000)).toBe(5 * 60_000);
  });

  it("backs off after failures from twice the base, with jitter taken off the top", () => {
    expect(pollDelay(1_000, { hiddenPolls: 0, failures: 1 }, 30_000, () => 0)).toBe(2_000);
    expect(pollDelay(1_000, { hiddenPolls: 0, failures: 3 }, 30_000, () => 0)).toBe(8_000);
    expect(pollDelay(1_000, { hiddenPolls: 0, failures: 30 }, 30_000, () => 0)).toBe(30_000);
    expect(pollDelay(1_000, { hiddenPolls: 0, failures: 3 }, 30_000, () => 1)).toBe(6_400); // 20% jitter
    // never sooner than the hidden-tab wait
    expect(pollDelay(1_000, { hiddenPolls: 4, failures: 1 }, 30_000, () => 0)).toBe(16_000);
  });
});

describe("Poller", () => {
  it("polls at once, then after each wait, counting hidden polls and failures", async () => {
    const tab = new FakeTab();
    const { p, calls } = poller(tab, [true, false, false, true]);
    await p.start();
    expect(calls).toHaveLength(1);
    expect(await tab.fire()).toBe(100);
    expect(p.state).toEqual({ hiddenPolls: 0, failures: 1 });
    expect(await tab.fire()).toBe(200); // one failure: twice the base
    expect(p.state.failures).toBe(2);
    tab.hidden = true;
    expect(await tab.fire()).toBe(400); // two failures
    expect(p.state).toEqual({ hiddenPolls: 1, failures: 0 });
    expect(await tab.fire()).toBe(200); // hidden: doubled
    expect(p.state.hiddenPolls).toBe(2);
    expect(calls).toHaveLength(5);
  });

  it("stops for good when the wait is null", async () => {
    const tab = new FakeTab();
    let final = false;
    const { p, calls } = poller(tab, [], () => (final ? null : 100));
    await p.start();
    final = true;
    await tab.fire();
    expect(tab.timers).toHaveLength(0);
    p.nudge(); // nothing is waiting: no poll
    await tab.show();
    await settle();
    expect(calls).toHaveLength(2);
  });

  it("polls at once when the tab comes back after hidden polls, and not after a visible spell", async () => {
    const tab = new FakeTab();
    const { p, calls } = poller(tab, []);
    await p.start();
    await tab.show(); // never hidden: wait as planned
    expect(calls).toHaveLength(1);
    expect(tab.timers).toHaveLength(1);
    tab.hidden = true;
    await tab.fire();
    expect(p.state.hiddenPolls).toBe(1);
    await tab.show();
    expect(calls).toHaveLength(3);
    expect(p.state.hiddenPolls).toBe(0);
    expect(tab.timers.map((t) => t.ms)).toEqual([100]); // one loop, not two
  });

  it("drops an answer that a newer poll overtook and keeps one loop", async () => {
    const tab = new FakeTab();
    const seen: string[] = [];
    const release: (() => void)[] = [];
    let n = 0;
    const p = new Poller({
      tick: async (fresh) => {
        const name = `poll-${++n}`;
        await new Promise<void>((resolve) => release.push(resolve));
        if (fresh()) seen.push(name);
        return true;
      },
      delay: () => 100,
      env: tab,
    });
    const first = p.start();
    const second = p.now(); // e.g. a filter changed while the first poll was in flight
    release[1]();
    await second;
    release[0]();
    await first;
    expect(seen).toEqual(["poll-2"]);
    expect(tab.timers).toHaveLength(1);
  });

  it("nudge polls only while waiting; stop ends the loop and drops the answer in flight", async () => {
    const tab = new FakeTab();
    let answered = 0;
    let release = () => undefined as void;
    const p = new Poller({
      tick: async (fresh) => {
        await new Promise<void>((resolve) => (release = resolve));
        if (fresh()) answered += 1;
        return true;
      },
      delay: () => 100,
      env: tab,
    });
    const first = p.start();
    p.nudge(); // in flight: no second request
    release();
    await first;
    expect(answered).toBe(1);
    p.nudge(); // waiting: poll now instead
    expect(tab.timers).toHaveLength(0);
    p.stop();
    release();
    await settle();
    expect(answered).toBe(1);
    expect(tab.timers).toHaveLength(0);
    expect(tab.visibleListeners.size).toBe(0);
    await p.now();
    expect(answered).toBe(1);
  });
});
