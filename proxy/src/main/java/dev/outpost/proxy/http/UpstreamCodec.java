package dev.outpost.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectDecoder;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of a connection to an instance: Netty's request encoder and response decoder,
 * paired like Netty's {@code HttpClientCodec} (a {@code HEAD} answer has no body; after a {@code 200}
 * to {@code CONNECT} the bytes pass undecoded), with two savings for the common case:
 * <ul>
 * <li>While {@link #allowRaw} is on, a plainly framed response (status 200–599 but not 204 or 304,
 * one {@code Content-Length}, no {@code Transfer-Encoding}, no {@code Outpost-Replay},
 * {@code Connection} naming only {@code keep-alive} or {@code close}, strict CRLF lines) is handed on
 * as a {@link RawResponse}, its head already rewritten for the user, and the rest of its body as
 * {@link RawBody} pieces as they come. Its head is waited for whole, as Netty's decoder waits for
 * it; anything else goes to Netty's decoder as before.
 * <li>Common response header names are shared constants, not a new string per header.
 * <li>The proxy's forwarding headers ({@link ForwardingHeaders}) are written as bytes after the
 * request's own headers, not set in its header map.
 * </ul>
 */
public final class UpstreamCodec extends CombinedChannelDuplexHandler<UpstreamCodec.Decoder, UpstreamCodec.Encoder> {
    /**
     * The most header bytes a response may carry. Netty's default is 8 KiB; apps send large cookies and
     * Content-Security-Policy headers, and HAProxy takes 16 KiB: a response the app meant must not become a 502.
     */
    static final int MAX_HEADER_SIZE = 32 * 1024;
    /** The largest head the raw path reads; a longer one goes to Netty's decoder, which enforces its own limit. */
    static final int MAX_RAW_HEAD = HttpObjectDecoder.DEFAULT_MAX_INITIAL_LINE_LENGTH + MAX_HEADER_SIZE;

    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();
    /** After a successful {@code CONNECT}: what follows is not HTTP. */
    private boolean done;
    /** Where the next response goes when it may take the raw path; null when it may not. */
    private RawResponse.Target rawTarget;

    public UpstreamCodec() {
        init(new Decoder(new HttpDecoderConfig().setMaxHeaderSize(MAX_HEADER_SIZE)), new Encoder());
    }

    /** The codec of {@code channel}'s pipeline, or null. */
    public static UpstreamCodec of(Channel channel) {
        // First in every HTTP/1.1 upstream pipeline: found without walking it, twice per request.
        return channel.pipeline().first() instanceof UpstreamCodec codec ? codec : null;
    }

    /**
     * Lets the next response come as a {@link RawResponse} rewritten for {@code target}, or not
     * ({@code null}); off again once a response starts. Only an exchange that can write raw bytes to
     * its user (an HTTP/1.1 client, not HEAD, not an upgrade) turns it on.
     */
    public void allowRaw(RawResponse.Target target) {
        rawTarget = target;
    }

    /**
     * Whether bytes the instance sent wait in the decoder that no response has taken. Between exchanges
     * that means the instance talked out of turn (bytes after a response's end): the connection cannot
     * be used again, or they would be read as the start of the next request's response.
     */
    public boolean hasUnreadBytes() {
        return inboundHandler().unread() > 0;
    }

    final class Encoder extends HttpRequestEncoder {
        /** The proxy's headers of the head being encoded, until they are written after its own. */
        private ForwardingHeaders forwarding;

        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            // Reset for every message, so a head whose encoding failed leaves nothing for a later one's trailers.
            forwarding = null;
            if (msg instanceof HttpRequest request) {
                methods.offer(request.method());
                forwarding = ForwardingHeaders.of(request);
            }
            super.encode(ctx, msg, out);
        }

        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            super.encodeHeaders(headers, buf);
            if (forwarding != null) {
                // Only the head's headers, not the trailers of a full request encoded in the same call.
                forwarding.writeTo(buf);
                forwarding = null;
            }
        }
    }

    final class Decoder extends HttpResponseDecoder {
        /** Between two responses: the raw path may look at the bytes. */
        private boolean boundary = true;
        private boolean closing;
        /** The body bytes of a raw response still to pass on; -1 outside one. */
        private long rawToCome = -1;

        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        int unread() {
            return actualReadableBytes();
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (done) {
                int readable = actualReadableBytes();
                if (readable > 0) {
                    out.add(buffer.readBytes(readable));
                }
                return;
            }
            if (rawToCome > 0) {
                // The rest of a raw response's body, as it comes; never Netty's, whose state is between messages.
                int n = (int) Math.min(rawToCome, buffer.readableBytes());
                if (n > 0) {
                    rawToCome -= n;
                    out.add(new RawBody(buffer.readRetainedSlice(n), rawToCome == 0));
                    if (rawToCome == 0) {
                        rawToCome = -1;
                        boundary = true;
                    }
                }
                return;
            }
            if (boundary && rawTarget != null && !closing) {
                RawResponse.Parse parse = RawResponse.parse(buffer, MAX_RAW_HEAD, ctx.alloc(), rawTarget);
                if (parse == RawResponse.Parse.INCOMPLETE) {
                    // Netty would wait for the whole head too; nothing is consumed.
                    return;
                }
                if (parse.response() != null) {
                    // Paired with its request like any response; the raw path takes neither HEAD nor CONNECT.
                    methods.poll();
                    rawTarget = null;
                    RawResponse raw = parse.response();
                    if (raw.bodyToCome() > 0) {
                        rawToCome = raw.bodyToCome();
                        boundary = false;
                    }
                    out.add(raw);
                    return;
                }
            }
            int before = out.size();
            int consumedFrom = buffer.readerIndex();
            super.decode(ctx, buffer, out);
            int after = out.size();
            if (after > before) {
                rawTarget = null;
                // A response ends with its last content; a head or content without it leaves one open.
                boundary = out.get(after - 1) instanceof LastHttpContent;
            } else if (buffer.readerIndex() != consumedFrom) {
                // Netty took part of a head (its first lines) and waits for the rest.
                boundary = false;
            }
        }

        @Override
        protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            closing = true;
            super.decodeLast(ctx, in, out);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            HttpResponse response = (HttpResponse) msg;
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // An interim response precedes the final one of the same request: it takes no method.
                return super.isContentAlwaysEmpty(msg);
            }
            HttpMethod method = methods.poll();
            if (HttpMethod.HEAD.equals(method)) {
                return true;
            }
            if (HttpMethod.CONNECT.equals(method) && response.status().code() == 200) {
                done = true;
                methods.clear();
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }

        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString known = KnownHeaderNames.find(sb, start, length);
            return known != null ? known : super.splitHeaderName(sb, start, length);
        }
    }
}
