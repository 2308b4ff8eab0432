package dev.outpost.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ByteProcessor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's request decoder plus what it lets through: before the decoder parses a request head, the
 * raw bytes of the head are scanned for folded header lines (obs-fold, which Netty joins silently),
 * bare CR or LF line ends, and more header lines than allowed. Netty itself already refuses the
 * other smuggling shapes (both {@code Content-Length} and {@code Transfer-Encoding} — enforced here
 * whatever its system property says —, differing duplicate {@code Content-Length},
 * {@code Transfer-Encoding} not ending in chunked, bad chunk sizes). A refused head becomes a failed
 * request carrying a {@link RequestRejectedException}; everything after it on the connection is
 * discarded, as the proxy answers and closes.
 *
 * <p>Slowloris: a head must arrive whole within {@code headTimeout} of the connection opening or of
 * its first byte; otherwise the connection is closed without an answer (as nginx does).
 */
final class GuardedRequestDecoder extends HttpRequestDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedRequestDecoder.class);

    private final int maxHeaderCount;
    private final Duration headTimeout;
    private final Consumer<HttpMethod> onRequest;
    private final Runnable onHeadTimeout;

    private boolean rejected;
    private boolean expectHead = true;
    /** The user half-closed (the connection allows it): what is decoded now is all that comes. */
    private boolean inputShut;
    /** Bytes after the reader index already scanned: the decoder consumes a head line by line, across calls. */
    private int scannedAhead;
    private int line;
    private int lineLength;
    private int headerLines;
    private boolean afterCr;
    /** When the head in progress must be complete (the event loop ticker's nanoTime), or 0 between heads. */
    private long headDeadline;
    /**
     * One timer per connection, not per request: ending a head only clears {@link #headDeadline};
     * the timer, when it fires, re-arms for the head in progress or lapses until the next head starts.
     */
    private ScheduledFuture<?> headTimer;
    private final ByteProcessor headScanner = this::scanByte;
    /** Set by {@link #scanByte} when it refuses the head, taken by {@link #scanHead}. */
    private RequestRejectedException refusal;

    /**
     * @param onRequest     told the method of every request head passed on, in order (the encoder pairs responses with them)
     * @param onHeadTimeout told when a head did not complete in time, before the connection closes
     */
    GuardedRequestDecoder(HttpDecoderConfig config, int maxHeaderCount, Duration headTimeout,
                          Consumer<HttpMethod> onRequest, Runnable onHeadTimeout) {
        super(config.setStrictLineParsing(true));
        this.maxHeaderCount = maxHeaderCount;
        this.headTimeout = headTimeout;
        this.onRequest = onRequest;
        this.onHeadTimeout = onHeadTimeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        startHeadTimer(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelHeadTimer();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        cancelHeadTimer();
        super.handlerRemoved0(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShut = true;
        }
        super.userEventTriggered(ctx, evt);
    }

    /**
     * After a half-close, a request whose body had not all come ends in a failed last piece, so the proxy
     * refuses it (400) instead of waiting for bytes that cannot come: Netty's decoder drops such a request
     * silently, as it may on a close, where the proxy learns it from the close itself.
     */
    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        if (inputShut && !expectHead && !rejected) {
            expectHead = true;
            LastHttpContent cut = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            cut.setDecoderResult(DecoderResult.failure(new PrematureChannelClosureException(
                    "the user ended its side of the connection before the request body was whole")));
            out.add(cut);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (rejected) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        if (expectHead) {
            RequestRejectedException refused = scanHead(ctx, buffer);
            if (refused != null) {
                rejected = true;
                cancelHeadTimer();
                buffer.skipBytes(buffer.readableBytes());
                HttpRequest invalid = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request");
                invalid.setDecoderResult(DecoderResult.failure(refused));
                onRequest.accept(invalid.method());
                out.add(invalid);
                return;
            }
        }
        int before = buffer.readerIndex();
        int oldSize = out.size();
        super.decode(ctx, buffer, out);
        scannedAhead = Math.max(0, scannedAhead - (buffer.readerIndex() - before));
        for (int i = oldSize; i < out.size(); i++) {
            Object message = out.get(i);
            if (message instanceof HttpRequest request) {
                onRequest.accept(request.method());
                if (request.decoderResult().isFailure()) {
                    rejected = true;
                    cancelHeadTimer();
                }
            }
            if (message instanceof LastHttpContent) {
                // The decoder stops at the end of a message, so the next head starts at the reader index.
                expectHead = true;
                scannedAhead = 0;
                line = 0;
                lineLength = 0;
                headerLines = 0;
                afterCr = false;
                if (buffer.isReadable()) {
                    startHeadTimer(ctx);
                }
            }
        }
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        // Netty strips Content-Length here when its RFC 9112 property is off; a proxy must refuse instead.
        throw new RequestRejectedException(HttpResponseStatus.BAD_REQUEST,
                "malformed request: both Content-Length and Transfer-Encoding are set; send one of them");
    }

    /** Scans the head's bytes not seen yet; the refusal, or null while the head is acceptable so far. */
    private RequestRejectedException scanHead(ChannelHandlerContext ctx, ByteBuf buffer) {
        int from = buffer.readerIndex() + scannedAhead;
        int to = buffer.writerIndex();
        if (from >= to) {
            return null;
        }
        if (headDeadline == 0) {
            startHeadTimer(ctx);
        }
        // forEachByte checks the buffer once, not per byte as getByte does: this runs on every request.
        int stoppedAt = buffer.forEachByte(from, to - from, headScanner);
        scannedAhead += stoppedAt < 0 ? to - from : stoppedAt - from + 1;
        RequestRejectedException refused = refusal;
        refusal = null;
        return refused;
    }

    /** One byte of the head; false stops the scan: the head is complete ({@code expectHead} false) or refused ({@code refusal}). */
    private boolean scanByte(byte b) {
        if (b == '\n') {
            if (!afterCr) {
                return refuse(malformed("a bare LF ends line " + (line + 1) + " of the request head; lines end with CRLF"));
            }
            afterCr = false;
            if (lineLength == 0) {
                if (line > 0) {
                    // The blank line: the head is complete; the body is the decoder's to frame.
                    expectHead = false;
                    headDeadline = 0;
                    return false;
                }
                return true; // Empty lines before the request line are tolerated (RFC 9112 §2.2), as the decoder does.
            }
            if (line > 0 && ++headerLines > maxHeaderCount) {
                return refuse(new RequestRejectedException(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                        "request has more than " + maxHeaderCount + " header lines"));
            }
            line++;
            lineLength = 0;
            return true;
        }
        if (afterCr) {
            return refuse(malformed("a bare CR in line " + (line + 1) + " of the request head; lines end with CRLF"));
        }
        if (b == '\r') {
            afterCr = true;
            return true;
        }
        if (lineLength == 0 && line > 0 && (b == ' ' || b == '\t')) {
            return refuse(malformed("header line " + line + " starts with whitespace (obs-fold); "
                    + "folded header values are not accepted, send each header on one line"));
        }
        lineLength++;
        return true;
    }

    private boolean refuse(RequestRejectedException why) {
        refusal = why;
        return false;
    }

    private static RequestRejectedException malformed(String why) {
        return new RequestRejectedException(HttpResponseStatus.BAD_REQUEST, "malformed request: " + why);
    }

    /** A head starts now (the connection opened, or its first byte came): it must be complete within the timeout. */
    private void startHeadTimer(ChannelHandlerContext ctx) {
        if (headDeadline != 0 || rejected) {
            return;
        }
        headDeadline = Math.max(1, ctx.executor().ticker().nanoTime() + headTimeout.toNanos());
        if (headTimer == null) {
            armHeadTimer(ctx, headTimeout.toNanos());
        }
    }

    private void armHeadTimer(ChannelHandlerContext ctx, long delayNanos) {
        headTimer = ctx.executor().schedule(() -> headTimerFired(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void headTimerFired(ChannelHandlerContext ctx) {
        headTimer = null;
        if (headDeadline == 0 || rejected || !ctx.channel().isActive()) {
            return; // no head in progress: the next one arms the timer again
        }
        long left = headDeadline - ctx.executor().ticker().nanoTime();
        if (left > 0) {
            armHeadTimer(ctx, left); // a later head than the one the timer was set for
            return;
        }
        LOG.debug("closing {}: no complete request head within {}", ctx.channel(), headTimeout);
        rejected = true;
        headDeadline = 0;
        onHeadTimeout.run();
        ctx.close();
    }

    private void cancelHeadTimer() {
        headDeadline = 0;
        if (headTimer != null) {
            headTimer.cancel(false);
            headTimer = null;
        }
    }
}
