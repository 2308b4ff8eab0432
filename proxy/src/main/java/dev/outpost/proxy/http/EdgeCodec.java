package dev.outpost.proxy.http;

import io.netty.buffer.ByteBuf;
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
        init(new GuardedRequestDecoder(config, maxHeaderCount, headTimeout, methods::add, onHeadTimeout), new Encoder());
    }

    /** With the default limits of {@link ProxyLimits}. */
    public EdgeCodec() {
        this(8192, 16384, 100, Duration.ofSeconds(10), () -> {});
    }

    /**
     * A final response already in bytes ({@link RawResponse#head}, and the rest of its body or null):
     * written as it is, in the place of an encoded response, and paired with its request like one.
     */
    public record Encoded(ByteBuf head, ByteBuf body) {}

    private final class Encoder extends HttpResponseEncoder {
        private HttpMethod method;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof Encoded encoded) {
                // Between two messages, as the encoder is after any whole response: its state stays as it was.
                method = methods.poll();
                if (encoded.body() == null) {
                    ctx.write(encoded.head(), promise);
                } else {
                    ctx.write(encoded.head(), ctx.voidPromise());
                    ctx.write(encoded.body(), promise);
                }
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
