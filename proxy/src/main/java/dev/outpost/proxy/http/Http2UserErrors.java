package dev.outpost.proxy.http;

import dev.outpost.proxy.telemetry.ProxyMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a user's HTTP/2 connection: the errors its codec passes on end here, counted and
 * logged in one debug line, where they used to reach the pipeline's tail and Netty logged each at WARN
 * with a stack trace — so a user could fill the edge's log by resetting connections or misbehaving.
 * <ul>
 *   <li>A protocol error on the connection (a frame out of place, a bad SETTINGS value) or a flood the
 *       codec refuses — reset streams (CVE-2023-44487), empty DATA or small CONTINUATION frames, which it
 *       answers with {@code ENHANCE_YOUR_CALM}: the codec has sent GOAWAY and closes the connection.
 *       Counted as {@code outpost.proxy.rejected{reason="h2_flood"}} or {@code reason="h2_protocol"}.</li>
 *   <li>An I/O error (the user reset the connection): routine; the transport closes the connection.</li>
 *   <li>Anything else is the edge's own fault: logged at WARN, and the connection closed.</li>
 * </ul>
 * Stream errors never come here: the multiplexer gives them to their stream.
 */
final class Http2UserErrors extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Http2UserErrors.class);

    private final ProxyMetrics metrics;

    Http2UserErrors(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Http2Exception protocol = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
        if (protocol != null) {
            boolean flood = protocol.error() == Http2Error.ENHANCE_YOUR_CALM;
            metrics.rejected(flood ? "h2_flood" : "h2_protocol");
            LOG.debug("user HTTP/2 connection {}: {} ({}); the codec sent GOAWAY and closes it", ctx.channel(),
                    protocol.getMessage(), protocol.error());
        } else if (cause instanceof IOException) {
            LOG.debug("user HTTP/2 connection {} failed: {}", ctx.channel(), cause.toString());
            ctx.close();
        } else {
            LOG.warn("user HTTP/2 connection {} failed; closing it", ctx.channel(), cause);
            ctx.close();
        }
    }
}
