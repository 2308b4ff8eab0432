package dev.outpost.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.api.LogBatch;
import dev.outpost.core.api.LogLine;
import dev.outpost.core.api.LogPage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The central log's contract, run against each dialect by a subclass that says where a fresh database is. */
abstract class LogsTest {
    static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    protected Store store;
    protected Logs logs;

    protected abstract String freshUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = Store.open(freshUrl());
        logs = store.logs();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    static LogBatch.Line line(String app, String region, String instance, int second, String text, String origin) {
        return new LogBatch.Line(instance, app, region, T0.plusSeconds(second), text, origin);
    }

    static List<String> texts(LogPage page) {
        return page.lines().stream().map(LogLine::line).toList();
    }

    static LogQuery all(String app) {
        return new LogQuery(app, null, null, null, null, null, 100);
    }

    @Test
    void appendedLinesComeBackInOrderWithEveryField() {
        long cursor = logs.append(List.of(
                line("web", "iad", "i1", 1, "GET / 200", "s1:10"),
                line("web", "ams", "i2", 2, "GET /x 404", "s2:11")));

        LogPage page = logs.query(all("web"));

        assertThat(page.lines()).containsExactly(
                new LogLine("web", "iad", "i1", T0.plusSeconds(1), "GET / 200"),
                new LogLine("web", "ams", "i2", T0.plusSeconds(2), "GET /x 404"));
        assertThat(page.cursor()).isEqualTo(cursor).isEqualTo(logs.lastId()).isEqualTo(2);
    }

    @Test
    void aBatchSentTwiceIsStoredOnceButMarkersAlwaysLand() {
        List<LogBatch.Line> batch = List.of(line("web", "iad", "i1", 1, "one", "s1:4"), line("web", "iad", "i1", 1, "two", "s1:8"),
                line("web", "iad", "i1", 1, "[outpost] 3 lines dropped", null));
        logs.append(batch);
        logs.append(batch);

        assertThat(texts(logs.query(all("web"))))
                .containsExactly("one", "two", "[outpost] 3 lines dropped", "[outpost] 3 lines dropped");
        // the same origin on another instance is another line
        logs.append(List.of(line("web", "iad", "i2", 1, "one", "s1:4")));
        assertThat(logs.query(all("web")).lines()).hasSize(5);
    }

    @Test
    void filtersByAppSinceRegionInstanceAndCaseSensitiveSubstring() {
        logs.append(List.of(
                line("web", "iad", "i1", 0, "Error: disk 100% full", "a:1"),
                line("web", "iad", "i1", 10, "error: lower case", "a:2"),
                line("web", "ams", "i2", 20, "Error in ams", "b:1"),
                line("other", "iad", "o1", 30, "Error elsewhere", "c:1"),
                line("web", "iad", "i3", 40, "all good", "d:1")));

        assertThat(texts(logs.query(all("web")))).hasSize(4);
        assertThat(texts(logs.query(new LogQuery("web", T0.plusSeconds(10), null, null, null, null, 100))))
                .containsExactly("error: lower case", "Error in ams", "all good");
        assertThat(texts(logs.query(new LogQuery("web", null, "ams", null, null, null, 100)))).containsExactly("Error in ams");
        assertThat(texts(logs.query(new LogQuery("web", null, null, "i3", null, null, 100)))).containsExactly("all good");
        assertThat(texts(logs.query(new LogQuery("web", null, null, null, "Error", null, 100))))
                .containsExactly("Error: disk 100% full", "Error in ams");
        // no pattern syntax: % and _ are themselves
        assertThat(texts(logs.query(new LogQuery("web", null, null, null, "100%", null, 100)))).containsExactly("Error: disk 100% full");
        assertThat(texts(logs.query(new LogQuery("web", null, null, null, "_", null, 100)))).isEmpty();
        assertThat(texts(logs.query(new LogQuery("web", null, "iad", "i1", "error", null, 100)))).containsExactly("error: lower case");
        assertThat(texts(logs.query(all("nope")))).isEmpty();
    }

    @Test
    void withoutACursorTheNewestLinesComeOldestFirst() {
        List<LogBatch.Line> batch = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            batch.add(line("web", "iad", "i1", i, "line " + i, "s:" + i));
        }
        logs.append(batch);

        LogPage page = logs.query(new LogQuery("web", null, null, null, null, null, 3));

        assertThat(texts(page)).containsExactly("line 8", "line 9", "line 10");
        assertThat(page.cursor()).isEqualTo(10);
    }

    @Test
    void aCursorPagesForwardAndMovesPastFilteredLines() {
        List<LogBatch.Line> batch = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            batch.add(line("web", "iad", "i1", i, "line " + i, "s:" + i));
        }
        logs.append(batch);

        LogPage first = logs.query(new LogQuery("web", null, null, null, null, 0L, 2));
        LogPage second = logs.query(new LogQuery("web", null, null, null, null, first.cursor(), 2));
        LogPage third = logs.query(new LogQuery("web", null, null, null, null, second.cursor(), 2));
        LogPage empty = logs.query(new LogQuery("web", null, null, null, null, third.cursor(), 2));

        assertThat(texts(first)).containsExactly("line 1", "line 2");
        assertThat(texts(second)).containsExactly("line 3", "line 4");
        assertThat(texts(third)).containsExactly("line 5");
        assertThat(texts(empty)).isEmpty();
        assertThat(empty.cursor()).isEqualTo(5);

        // other apps' lines and lines the grep skips still move the cursor on
        logs.append(List.of(line("other", "iad", "o1", 6, "line 6", "o:6"), line("web", "iad", "i1", 7, "noise", "s:7")));
        LogPage skipped = logs.query(new LogQuery("web", null, null, null, "line", 5L, 10));
        assertThat(texts(skipped)).isEmpty();
        assertThat(skipped.cursor()).isEqualTo(7);
    }

    @Test
    void pruneDeletesLinesOlderThanTheCutoffAndIdsNeverGoBack() {
        logs.append(List.of(line("web", "iad", "i1", 0, "old", "s:1"), line("web", "iad", "i1", 100, "new", "s:2")));
        long index = store.index();

        assertThat(logs.prune(T0.plusSeconds(50))).isEqualTo(1);
        assertThat(texts(logs.query(all("web")))).containsExactly("new");
        assertThat(logs.prune(T0.plusSeconds(200))).isEqualTo(1);
        assertThat(logs.query(all("web")).lines()).isEmpty();
        // appending and pruning are not changes blocking queries wait for
        assertThat(store.index()).isEqualTo(index);

        logs.append(List.of(line("web", "iad", "i1", 300, "after", "s:3")));
        LogPage page = logs.query(new LogQuery("web", null, null, null, null, 2L, 10));
        assertThat(texts(page)).containsExactly("after");
        assertThat(page.cursor()).isEqualTo(3);
    }

    @Test
    void pruneWorksInChunks() {
        List<LogBatch.Line> batch = new ArrayList<>();
        for (int i = 0; i < Logs.PRUNE_CHUNK + 5; i++) {
            batch.add(line("web", "iad", "i1", 0, "l" + i, "s:" + i));
        }
        logs.append(batch);

        assertThat(logs.prune(T0.plusSeconds(1))).isEqualTo(Logs.PRUNE_CHUNK + 5);
        assertThat(logs.query(all("web")).lines()).isEmpty();
    }
}
