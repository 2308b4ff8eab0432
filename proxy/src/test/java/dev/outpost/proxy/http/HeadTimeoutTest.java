package dev.outpost.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The slowloris guard of {@link EdgeCodec} with frozen time: every head, the first of a connection
 * and each later one on keep-alive, gets the whole timeout from its first byte, and no more.
 */
class HeadTimeoutTest {
    private final AtomicInteger timeouts = new AtomicInteger();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new EdgeCodec(8192, 16384, 100, Duration.ofMillis(300), timeouts::incrementAndGet));
        ch.pipeline().fireChannelActive(); // the connection opens now, with the codec in place
        return ch;
    }

    private static void send(EmbeddedChannel ch, String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
    }

    private static void advance(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    /** Reads one whole request (head and its empty end), failing if there is none. */
    private static void request(EmbeddedChannel ch) {
        Object head = ch.readInbound();
        assertThat(head).isInstanceOf(HttpRequest.class);
        assertThat(((HttpRequest) head).decoderResult().isSuccess()).isTrue();
        Object end = ch.readInbound();
        assertThat(end).isInstanceOf(LastHttpContent.class);
        ReferenceCountUtil.release(head);
        ReferenceCountUtil.release(end);
    }

    /** Open for another {@code millis - 1} ms, closed at {@code millis}, as one head timeout. */
    private void closesIn(EmbeddedChannel ch, long millis) {
        advance(ch, millis - 1);
        assertThat(ch.isOpen()).as("open 1 ms before the deadline").isTrue();
        advance(ch, 1);
        assertThat(ch.isOpen()).as("closed at the deadline").isFalse();
        assertThat(timeouts).hasValue(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void aConnectionThatSendsNoWholeHeadInTimeIsClosed() {
        EmbeddedChannel ch = channel();
        send(ch, "GET / HTTP/1.1\r\nHost: hel");

        closesIn(ch, 300);
    }

    @Test
    void aLaterHeadOnAKeepAliveConnectionGetsTheWholeTimeoutFromItsFirstByte() {
        EmbeddedChannel ch = channel();
        send(ch, "GET / HTTP/1.1\r\nHost: hello\r\n\r\n");
        request(ch);

        // The second head starts 250 ms in, while the timer set when the connection opened is still pending.
        advance(ch, 250);
        send(ch, "GET /two HTTP/1.1\r\nHo");
        advance(ch, 249);
        assertThat(ch.isOpen()).as("499 ms in, 249 ms into the second head").isTrue();
        send(ch, "st: hello\r\n\r\n");
        request(ch);

        // Long after: the timer lapsed between heads, and a third head that stalls is closed 300 ms after its first byte.
        advance(ch, 5_000);
        assertThat(ch.isOpen()).as("between requests only the idle timeout applies").isTrue();
        send(ch, "GET /three HTTP/1.1\r\n");
        closesIn(ch, 300);
    }

    @Test
    void aSecondHeadThatStallsIsClosedAtItsOwnDeadlineNotTheFirstHeads() {
        EmbeddedChannel ch = channel();
        send(ch, "GET / HTTP/1.1\r\nHost: hello\r\n\r\n");
        request(ch);
        advance(ch, 200);
        send(ch, "GET /two HTTP/1.1\r\n");

        advance(ch, 100); // 300 ms after the connection opened: the first timer fires and re-arms
        assertThat(ch.isOpen()).isTrue();
        closesIn(ch, 200); // 300 ms after the second head's first byte
    }
}
