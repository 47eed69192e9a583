/**
 * A request-rate limiter for one account's Face Liveness quota in one region. Every session created or read by one
 * provider host shares it, so a `pulumi up` of hundreds of sessions sends requests at the quota instead of bursting
 * past it and losing sessions to throttling.
 *
 * - Never more than `requestsPerSecond` grants in any one-second window (a sliding window over the latest grants,
 *   which lets a first burst of that size through and then paces).
 * - First come, first served.
 * - A throttling answer (the account is shared with other stacks and services) halves the rate and pauses every
 *   waiter briefly; each success then wins back one request per second, up to the configured rate.
 *
 * Built by a factory of closures, without imports, so that it serializes compactly into the provider text.
 */
export interface RateLimiter {
    /** Resolves when the caller may send one request. */
    acquire(): Promise<void>;
    /** The service answered with throttling: slow down. */
    throttled(): void;
    /** The service answered: recover toward the configured rate. */
    succeeded(): void;
    /** The rate currently allowed, in requests per second. */
    currentRate(): number;
}

export function createRateLimiter(requestsPerSecond: number, now: () => number = Date.now): RateLimiter {
    const minimumRate = Math.min(1, requestsPerSecond);
    let rate = requestsPerSecond;
    let pausedUntil = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grants: number[] = []; // times of the latest grants, oldest first
    const waiting: (() => void)[] = [];

    /** Milliseconds until the next grant keeps every window within the current rate. */
    function delay(): number {
        const capacity = Math.max(1, Math.floor(rate));
        const windowMs = (1000 * capacity) / rate;
        let wait = pausedUntil - now();
        if (grants.length >= capacity) {
            wait = Math.max(wait, grants[grants.length - capacity] + windowMs - now());
        }
        return wait;
    }

    function pump(): void {
        while (timer === undefined && waiting.length > 0) {
            const wait = delay();
            if (wait > 0) {
                timer = setTimeout(() => {
                    timer = undefined;
                    pump();
                }, Math.ceil(wait));
                return;
            }
            grants.push(now());
            if (grants.length > Math.max(1, requestsPerSecond)) grants.shift();
            waiting.shift()!();
        }
    }

    return {
        acquire: () =>
            new Promise<void>((resolve) => {
                waiting.push(resolve);
                pump();
            }),
        throttled: () => {
            rate = Math.max(minimumRate, rate / 2);
            pausedUntil = Math.max(pausedUntil, now() + 1000 / rate);
        },
        succeeded: () => {
            rate = Math.min(requestsPerSecond, rate + 1);
        },
        currentRate: () => rate,
    };
}
