/**
 * A request-rate limiter for one account's Face Liveness quota in one region. Every session created or read by one
 * provider host shares it, so a `pulumi up` of hundreds of sessions sends requests at the quota instead of bursting
 * past it and losing sessions to throttling.
 *
 * - Never more than `requestsPerSecond` requests in any one-second window. A request holds its place in the window
 *   from when it is granted until one second after its answer came back: the service counts a request when it
 *   arrives, which is somewhere in between, and a first burst that waited on new connections arrives late. So the
 *   service never sees more than the rate, whatever the network's delays; a first burst of that size goes at once.
 * - First come, first served.
 * - A throttling answer (the account is shared with other stacks and services) halves the rate and pauses every
 *   waiter briefly; each answered request then wins back one request per second, up to the configured rate.
 *
 * Built by a factory of closures, without imports, so that it serializes compactly into the provider text.
 */
export interface RateLimiter {
    /** Resolves when the caller may send one request, with the function to call once its answer has arrived. */
    acquire(): Promise<() => void>;
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
    /** The recent requests' places in the window: when each was answered, Infinity while in flight. */
    let places: { answeredAt: number }[] = [];
    const waiting: ((release: () => void) => void)[] = [];

    /** Milliseconds until a place is free (Infinity: until an in-flight request is answered). */
    function delay(): number {
        const capacity = Math.max(1, Math.floor(rate));
        const windowMs = (1000 * capacity) / rate;
        const t = now();
        places = places.filter((p) => p.answeredAt + windowMs > t);
        if (places.length < capacity) {
            return pausedUntil - t;
        }
        const ends = places.map((p) => p.answeredAt).sort((a, b) => a - b);
        return Math.max(pausedUntil, ends[ends.length - capacity] + windowMs) - t;
    }

    function pump(): void {
        while (timer === undefined && waiting.length > 0) {
            const wait = delay();
            if (wait === Infinity) {
                return; // A release pumps again.
            }
            if (wait > 0) {
                timer = setTimeout(() => {
                    timer = undefined;
                    pump();
                }, Math.ceil(wait));
                return;
            }
            const place = { answeredAt: Infinity };
            places.push(place);
            waiting.shift()!(() => {
                place.answeredAt = Math.min(place.answeredAt, now());
                pump();
            });
        }
    }

    return {
        acquire: () =>
            new Promise<() => void>((resolve) => {
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
