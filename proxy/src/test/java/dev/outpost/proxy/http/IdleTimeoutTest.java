package dev.outpost.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The connection idle timer on an embedded channel with frozen time: reads and writes keep it quiet, silence fires it. */
class IdleTimeoutTest {
    private final List<Object> events = new ArrayList<>();

    private EmbeddedChannel channel(Duration timeout) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new IdleTimeout(timeout), new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
            }
        });
        return ch;
    }

    private static void advance(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    @Test
    void silenceForTheTimeoutFiresOneEventAndAnotherAfterEachFurtherTimeout() {
        EmbeddedChannel ch = channel(Duration.ofSeconds(10));

        advance(ch, 9_999);
        assertThat(events).isEmpty();
        advance(ch, 1);
        assertThat(events).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        advance(ch, 9_000);
        assertThat(events).hasSize(1);
        advance(ch, 1_000);
        assertThat(events).hasSize(2);
        ch.finishAndReleaseAll();
    }

    @Test
    void aReadRestartsTheTimeoutFromTheEndOfItsBatch() {
        EmbeddedChannel ch = channel(Duration.ofSeconds(10));

        advance(ch, 9_000);
        ch.writeInbound("request");
        advance(ch, 9_000);
        assertThat(events).as("only 9 s since the read").isEmpty();
        advance(ch, 1_000);
        assertThat(events).hasSize(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void aWriteRestartsTheTimeoutToo() {
        EmbeddedChannel ch = channel(Duration.ofSeconds(10));

        advance(ch, 6_000);
        ch.writeOutbound("response");
        advance(ch, 6_000);
        ch.writeOutbound("more");
        advance(ch, 9_999);
        assertThat(events).isEmpty();
        advance(ch, 1);
        assertThat(events).hasSize(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void aClosedConnectionHearsNothingMore() {
        EmbeddedChannel ch = channel(Duration.ofSeconds(10));

        ch.close();
        advance(ch, 60_000);

        assertThat(events).isEmpty();
        assertThat(ch.hasPendingTasks()).as("the timer was cancelled").isFalse();
    }

    @Test
    void aTimeoutMustBePositive() {
        assertThatThrownBy(() -> new IdleTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }
}
