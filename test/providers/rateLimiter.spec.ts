import { strict as assert } from "node:assert";
import { createRateLimiter } from "../../providers/rateLimiter";

/** Acquires `count` grants at once and returns the time each was granted, in the order they were asked for. */
async function grantTimes(limiter: ReturnType<typeof createRateLimiter>, count: number): Promise<number[]> {
    const times: number[] = new Array(count);
    const order: number[] = [];
    await Promise.all(
        Array.from({ length: count }, (_, i) =>
            limiter.acquire().then((answered) => {
                times[i] = Date.now();
                order.push(i);
                answered();
            }),
        ),
    );
    assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
        "granted first come, first served",
    );
    return times;
}

/** The most grants found in any one-second window starting at a grant. */
function busiestSecond(times: number[]): number {
    return Math.max(...times.map((start) => times.filter((t) => t >= start && t < start + 1000).length));
}

describe("createRateLimiter: one account's request quota, shared", () => {
    it("never grants more than the configured rate in any one-second window", async () => {
        const times = await grantTimes(createRateLimiter(20), 50);
        assert.equal(busiestSecond(times), 20);
    });

    it("keeps a place taken until one second after the request was answered, so slow answers slow the pace", async () => {
        const limiter = createRateLimiter(2);
        const answeredFirst = await limiter.acquire();
        const answeredSecond = await limiter.acquire();
        let third = 0;
        const granted = limiter.acquire().then((answered) => ((third = Date.now()), answered()));
        await new Promise((resolve) => setTimeout(resolve, 1100));
        assert.equal(third, 0, "not granted while both requests are in flight, however long ago they were sent");
        const answerTime = Date.now();
        answeredFirst();
        answeredSecond();
        await granted;
        assert.ok(third - answerTime >= 999, `granted ${third - answerTime} ms after the answers, expected a second`);
    });

    it("lets a first burst of the configured size through, then paces the rest", async () => {
        const times = await grantTimes(createRateLimiter(10), 12);
        assert.ok(times[9] - times[0] < 1000, "the first 10 within the first second");
        assert.ok(times[10] - times[0] >= 1000, "the 11th only once the first has left the window");
    });

    it("grants in the order asked, across callers that arrive later", async () => {
        const limiter = createRateLimiter(5);
        const order: string[] = [];
        const take = (name: string) => limiter.acquire().then((answered) => (order.push(name), answered()));
        const first = Array.from({ length: 7 }, (_, i) => take(`a${i}`));
        const later = Array.from({ length: 3 }, (_, i) => take(`b${i}`));
        await Promise.all([...first, ...later]);
        assert.deepEqual(order, ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "b0", "b1", "b2"]);
    });

    it("slows down on a throttling answer: half the rate, a pause before the next grant, then recovers to no more than the configured rate", async () => {
        const limiter = createRateLimiter(10);
        await grantTimes(limiter, 10);
        const throttledAt = Date.now();
        limiter.throttled();
        assert.equal(limiter.currentRate(), 5);
        const after = await grantTimes(limiter, 6);
        assert.ok(after[0] - throttledAt >= 199, `paused ${after[0] - throttledAt} ms, expected 1000 ms / 5`);
        assert.ok(busiestSecond(after) <= 5);
        limiter.throttled();
        limiter.throttled();
        limiter.throttled();
        limiter.throttled();
        assert.equal(limiter.currentRate(), 1, "never below one request per second");
        for (let i = 0; i < 20; i++) limiter.succeeded();
        assert.equal(limiter.currentRate(), 10);
    });
});
