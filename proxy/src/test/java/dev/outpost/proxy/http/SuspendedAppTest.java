package dev.outpost.proxy.http;

import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.routing.RoutingTable;
import dev.outpost.proxy.testing.InetEmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An app suspended for its budget is answered 503 with the reason, even while the table still lists an instance. */
class SuspendedAppTest {
    static final String REASON = "monthly budget of $5.00 reached for hello; it resumes on 2026-12-01 00:00 UTC"
            + " or when the budget is raised (outpost budget set)";

    private final DefaultChannelGroup upstreams = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicBoolean draining = new AtomicBoolean();
    private InetEmbeddedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        var target = new dev.outpost.core.api.RoutingTable.Target("i1", "iad", "127.0.0.1", 1, 1);
        var suspended = new dev.outpost.core.api.RoutingTable.AppRoute("hello", 20, 25, "requests", List.of(target), 0, List.of(),
                false, REASON, false, List.of());
        RoutingTable routes = RoutingTable.from(table(1, suspended), "iad", RoutingTable.empty("iad"));
        UpstreamPool pool = new UpstreamPool(Transport.nio(), upstreams, Duration.ofSeconds(30), Duration.ofSeconds(1));
        channel = new InetEmbeddedChannel(new EdgeCodec(), new FlowControlHandler(),
                new ForwardedHeadersHandler("iad"), new HttpProxyHandler(EdgeContext.of("iad", () -> routes, pool, draining::get)));
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
        upstreams.close();
    }

    @Test
    void everyRequestToASuspendedAppIsAnswered503WithTheReason() {
        channel.receive("GET / HTTP/1.1\r\nHost: hello\r\n\r\n");
        assertThat(channel.sent()).startsWith("HTTP/1.1 503 Service Unavailable\r\n").endsWith("\r\n\r\n" + REASON + "\n");

        channel.receive("POST /x HTTP/1.1\r\nHost: hello\r\nContent-Length: 2\r\n\r\nhi");
        assertThat(channel.sent()).startsWith("HTTP/1.1 503").contains("budget");
        assertThat(channel.isOpen()).isTrue();
    }
}
