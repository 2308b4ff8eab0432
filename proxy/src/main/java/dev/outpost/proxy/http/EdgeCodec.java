package dev.outpost.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The user side's HTTP/1.1 codec: {@link GuardedRequestDecoder} (Netty's decoder behind the edge's
 * smuggling and slowloris checks) and a response encoder that, like Netty's {@code HttpServerCodec},
 * pairs each final response with its request's method so a {@code HEAD} answer never carries a body.
 */
public final class EdgeCodec extends CombinedChannelDuplexHandler<GuardedRequestDecoder, HttpResponseEncoder> {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();
    /** Request heads passed on since the connection opened, the refused one included. */
    private long requestHeads;

    /**
     * @param maxRequestLineLength longer request lines fail with Netty's {@code TooLongHttpLineException} (answered 414)
     * @param maxHeaderSize        larger header sections fail with {@code TooLongHttpHeaderException} (answered 431)
     * @param onHeadTimeout        told when a connection is closed for a head that did not complete in time
     */
    public EdgeCodec(int maxRequestLineLength, int maxHeaderSize, int maxHeaderCount, Duration headTimeout,
                     Runnable onHeadTimeout) {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(maxRequestLineLength)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(16384);
        init(new GuardedRequestDecoder(config, maxHeaderCount, headTimeout, this::requestHead, onHeadTimeout), new Encoder());
    }

    private void requestHead(HttpMethod method) {
        methods.add(method);
        requestHeads++;
    }

    /**
     * Request heads decoded on this connection so far. The user's bytes are decoded as they come, so heads
     * beyond the one the proxy is on are requests the user pipelined, waiting their turn.
     */
    public long requestHeads() {
        return requestHeads;
    }

    /** With the default limits of {@link ProxyLimits}. */
    public EdgeCodec() {
        this(8192, 16384, 100, Duration.ofSeconds(10), () -> {});
    }

    /**
     * Bytes of a final response the proxy already has in wire form ({@link RawResponse}, {@link RawBody}):
     * written as they are, in the place of an encoded response; {@code responseStart} pairs it with
     * its request like an encoded head. A holder, so a write dropped on the way releases the bytes.
     */
    public static final class Raw extends DefaultByteBufHolder {
        private final boolean responseStart;

        public Raw(ByteBuf bytes, boolean responseStart) {
            super(bytes);
            this.responseStart = responseStart;
        }

        public boolean responseStart() {
            return responseStart;
        }
    }

    private final class Encoder extends HttpResponseEncoder {
        private HttpMethod method;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof Raw raw) {
                // The encoder is between messages before, during and after a raw response: its state stays as it was.
                if (raw.responseStart()) {
                    method = methods.poll();
                }
                ctx.write(raw.content(), promise);
                return;
            }
            super.write(ctx, msg, promise);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // 100 Continue precedes the final response of the same request: it takes no method off the queue.
                return super.isContentAlwaysEmpty(msg);
            }
            method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method) && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
                msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                return;
            }
            super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
        }
    }
}
