package dev.outpost.store;

import static dev.outpost.store.TestRecords.at;
import static dev.outpost.store.TestRecords.newInstance;
import static dev.outpost.store.TestRecords.startedReport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.outpost.core.api.Event;
import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.InstanceState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Events}, {@link Usage}, {@link Budgets} and {@link Webhooks}, run against each dialect by a
 * subclass that says where a fresh database is.
 */
abstract class MeterStoreTest {
    protected Store store;

    protected abstract String freshUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = Store.open(freshUrl());
        store.createApp("hello", "iad", at(0));
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void eventsGetIncreasingIdsBumpTheIndexAndListSinceAnId() {
        long before = store.index();
        Event first = store.events().append("hello", "budget.50", "half spent", Map.of("percent", "50"), at(1));
        Event second = store.events().append("hello", "budget.80", "80 % spent", Map.of(), at(2));
        store.events().append("other", "scale.up", "more", Map.of(), at(3));

        assertThat(second.id()).isEqualTo(first.id() + 1);
        assertThat(store.index()).isEqualTo(before + 3);
        assertThat(store.events().list("hello", 0, 10)).containsExactly(first, second);
        assertThat(store.events().list("hello", first.id(), 10)).containsExactly(second);
        assertThat(store.events().list(null, 0, 2)).hasSize(2);
        assertThat(store.events().latest("hello", 1)).containsExactly(second);
    }

    @Test
    void reportsOpenAndCloseRunIntervalsOnceEach() {
        store.insertInstance(newInstance("i1", "hello", 1, "host-1"));
        store.applyReport("i1", startedReport(5000), at(10));
        store.applyReport("i1", startedReport(5000), at(20));
        List<UsageInterval> open = store.usage().intervals("hello", at(0), at(100));
        assertThat(open).singleElement().satisfies(i -> {
            assertThat(i.stoppedAt()).isNull();
            assertThat(i.within(at(0), at(100), at(70))).isEqualTo(Duration.ofSeconds(60));
        });

        InstanceReport stopped = new InstanceReport(InstanceState.STOPPED, Health.UNKNOWN, null, null, 0, null, 0, List.of());
        store.applyReport("i1", stopped, at(40));
        store.applyReport("i1", stopped, at(50));
        assertThat(store.usage().intervals("hello", at(0), at(100))).singleElement()
                .satisfies(i -> assertThat(i.within(at(0), at(100), at(99))).isEqualTo(Duration.ofSeconds(30)));
        assertThat(store.usage().intervals("hello", at(41), at(100))).isEmpty();
    }

    @Test
    void runsStartAndEndWhenTheAgentSawTheChangeNotWhenTheReportArrived() {
        store.insertInstance(newInstance("i1", "hello", 1, "host-1"));
        // Seen started at 10, received at 25 (a slow server); seen stopped at 40, received at 90 (a restarted one).
        store.applyReport("i1", observed(InstanceState.STARTED, 10), at(25));
        store.applyReport("i1", observed(InstanceState.STOPPED, 40), at(90));
        // A clock ahead of the server's counts as the server's time: never a run that ends in the future.
        store.applyReport("i1", observed(InstanceState.STARTED, 500), at(100));
        store.applyReport("i1", observed(InstanceState.STOPPED, 110), at(111));

        assertThat(store.usage().intervals("hello", at(0), at(200))).extracting(UsageInterval::startedAt, UsageInterval::stoppedAt)
                .containsExactly(tuple(at(10), at(40)), tuple(at(100), at(110)));
    }

    @Test
    void aStartSeenBeforeThePreviousStopIsNotCountedTwice() {
        store.insertInstance(newInstance("i1", "hello", 1, "host-1"));
        store.applyReport("i1", observed(InstanceState.STARTED, 10), at(10));
        store.applyReport("i1", observed(InstanceState.STOPPED, 30), at(30));
        store.applyReport("i1", observed(InstanceState.STARTED, 20), at(40));
        store.applyReport("i1", observed(InstanceState.STOPPED, 25), at(50));

        assertThat(store.usage().intervals("hello", at(0), at(200))).extracting(UsageInterval::startedAt, UsageInterval::stoppedAt)
                .containsExactly(tuple(at(10), at(30)), tuple(at(30), at(30)));
    }

    @Test
    void deletingAnInstanceEndsItsRunSoItIsNotChargedForever() {
        store.insertInstance(newInstance("i1", "hello", 1, "host-1"));
        store.applyReport("i1", observed(InstanceState.STARTED, 10), at(10));
        store.setDesired("i1", DesiredState.DESTROYED);
        store.deleteInstance("i1", at(70));

        assertThat(store.findInstance("i1")).isEmpty();
        assertThat(store.usage().intervals("hello", at(0), at(1000))).singleElement()
                .satisfies(i -> assertThat(i.within(at(0), at(1000), at(1000))).isEqualTo(Duration.ofSeconds(60)));
    }

    @Test
    void deletingAnAppForgetsItsBudgetAndUsageAndRecordsNoMoreRuns() {
        store.insertInstance(newInstance("i1", "hello", 1, "host-1"));
        store.applyReport("i1", observed(InstanceState.STARTED, 10), at(10));
        store.budgets().set("hello", 5);

        assertThat(store.deleteApp("hello")).isTrue();
        store.applyReport("i1", observed(InstanceState.STOPPED, 20), at(20));
        store.applyReport("i1", observed(InstanceState.STARTED, 30), at(30));

        assertThat(store.budgets().find("hello")).isEmpty();
        assertThat(store.usage().intervals("hello", at(0), at(1000))).isEmpty();
        store.createApp("hello", "iad", at(40));
        assertThat(store.budgets().find("hello")).isEmpty();
        assertThat(store.usage().intervals("hello", at(0), at(1000))).isEmpty();
    }

    private static InstanceReport observed(InstanceState state, long secondsAfterT0) {
        return new InstanceReport(state, Health.UNKNOWN, null, null, null, null, 0, List.of(), at(secondsAfterT0));
    }

    @Test
    void suspendSavesDesiredStatesAndRestoreGivesThemBack() {
        store.insertInstance(newInstance("i1", "hello", 1, "host-1"));
        store.insertInstance(newInstance("i2", "hello", 1, "host-1"));
        store.setDesired("i2", DesiredState.STOPPED);
        store.budgets().set("hello", 5);

        assertThat(store.budgets().suspend("hello", "budget reached", at(100))).isTrue();
        assertThat(store.budgets().suspend("hello", "again", at(100))).isFalse();
        assertThat(store.findInstance("i1").orElseThrow().desired()).isEqualTo(DesiredState.STOPPED);
        assertThat(store.budgets().suspended()).containsEntry("hello", "budget reached");

        assertThat(store.budgets().restore("hello")).isTrue();
        assertThat(store.findInstance("i1").orElseThrow().desired()).isEqualTo(DesiredState.RUNNING);
        assertThat(store.findInstance("i2").orElseThrow().desired()).isEqualTo(DesiredState.STOPPED);
        assertThat(store.budgets().suspended()).isEmpty();
    }

    @Test
    void aNegativeBudgetIsRefusedAndChangesNothing() {
        store.budgets().set("hello", 5);
        assertThatThrownBy(() -> store.budgets().set("hello", -1)).hasMessageContaining("-1");
        assertThat(store.budgets().find("hello").orElseThrow().monthlyUsd()).isEqualTo(5);
    }

    @Test
    void eventsAreQueuedForTheWebhooksThatWantTheirKind() {
        store.webhooks().add(new Webhook("wh1", "http://127.0.0.1:1/hook", List.of("budget"), "s3cret", at(0)));
        Event wanted = store.events().append("hello", "budget.50", "half", Map.of(), at(1));
        store.events().append("hello", "scale.up", "more", Map.of(), at(2));

        List<WebhookDelivery> due = store.webhooks().due(at(5), 10);
        assertThat(due).singleElement().satisfies(d -> {
            assertThat(d.eventId()).isEqualTo(wanted.id());
            assertThat(d.body()).contains("\"webhook\":\"wh1\"").contains("budget.50");
        });
        store.webhooks().recordAttempt(due.getFirst().id(), WebhookDelivery.PENDING, 500, null, at(10), at(5));
        assertThat(store.webhooks().due(at(5), 10)).isEmpty();
        assertThat(store.webhooks().deliveries("wh1", 10)).singleElement()
                .satisfies(d -> assertThat(d.attempts()).isEqualTo(1));
        assertThat(store.webhooks().remove("wh1")).isTrue();
        assertThat(store.webhooks().due(at(20), 10)).isEmpty();
    }
}
