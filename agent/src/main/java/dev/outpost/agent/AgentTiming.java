package dev.outpost.agent;

import java.time.Duration;

/**
 * The agent's clocks, in one place so tests can shorten them. {@link #DEFAULT} is what DESIGN and
 * {@code docs/architecture.md} promise: heartbeat every 10 s, 30 s blocking queries, backoff 1 s
 * doubling to 30 s, a backoff reset after 60 s healthy, 5 s from SIGTERM to SIGKILL, restart after
 * 5 failing checks in a row, 30 s for a started instance to listen on its port.
 */
record AgentTiming(Duration heartbeat, Duration watchWait, Duration backoffInitial, Duration backoffMax,
                   Duration healthyReset, Duration stopTimeout, int failureThreshold, Duration portPoll,
                   Duration startTimeout) {

    static final AgentTiming DEFAULT = new AgentTiming(Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(5), 5,
            Duration.ofMillis(25), Duration.ofSeconds(30));

    Backoff backoff() {
        return new Backoff(backoffInitial, backoffMax);
    }
}
