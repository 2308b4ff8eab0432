package dev.outpost.proxy.http;

import dev.outpost.proxy.telemetry.ProxyMetrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of every user connection: the errors no handler before it took end here, counted and
 * logged in one debug line. They used to reach the pipeline's tail, where Netty logs each at WARN with a
 * stack trace, so any user could fill the edge's log: a port scan or a TCP health check that resets its
 * connection, a phone that loses its network mid-HTTP/2, a flood of HTTP/2 frames.
 * <ul>
 *   <li>An HTTP/2 connection error — a frame out of place, or a flood the codec refuses with
 *       {@code ENHANCE_YOUR_CALM}: streams reset at once (CVE-2023-44487), empty DATA or small CONTINUATION
 *       frames. The codec has sent GOAWAY and closes the connection. Counted as
 *       {@code outpost.proxy.rejected{reason="h2_flood"}} or {@code reason="h2_protocol"}.</li>
 *   <li>An I/O error (the user reset the connection): routine; the connection is closed.</li>
 *   <li>Anything else is the edge's own fault: logged at WARN, and the connection closed.</li>
 * </ul>
 * An HTTP/1.1 connection's errors are its proxy handler's and an HTTP/2 stream's are the stream's: what comes
 * here is what happens before a protocol is chosen, and on the HTTP/2 connection itself.
 */
@ChannelHandler.Sharable
final class UserConnectionErrors extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(UserConnectionErrors.class);

    private final ProxyMetrics metrics;

    UserConnectionErrors(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    /** A half-close no handler before took (one that allows them, for a chain that has no use for it): the end. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Http2Exception protocol = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
        if (protocol != null) {
            boolean flood = protocol.error() == Http2Error.ENHANCE_YOUR_CALM;
            metrics.rejected(flood ? "h2_flood" : "h2_protocol");
            LOG.debug("user connection {}: {} ({}); the HTTP/2 codec sent GOAWAY and closes it", ctx.channel(),
                    protocol.getMessage(), protocol.error());
        } else if (cause instanceof IOException) {
            LOG.debug("user connection {} failed: {}", ctx.channel(), cause.toString());
            ctx.close();
        } else {
            LOG.warn("user connection {} failed; closing it", ctx.channel(), cause);
            ctx.close();
        }
    }
}
