package dev.outpost.proxy.http;

import dev.outpost.core.Durations;
import dev.outpost.core.Ids;
import dev.outpost.proxy.routing.AppHost;
import dev.outpost.proxy.routing.Balancer;
import dev.outpost.proxy.routing.Concurrency;
import dev.outpost.proxy.routing.Placement;
import dev.outpost.proxy.routing.RoutingTable;
import dev.outpost.proxy.routing.Upstream;
import dev.outpost.proxy.routing.WaitQueue;
import dev.outpost.proxy.telemetry.AccessLog;
import dev.outpost.proxy.telemetry.EdgeDemand;
import dev.outpost.proxy.telemetry.ProxyMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxies the requests of one user connection, one at a time (HTTP/1.1 keep-alive; pipelined
 * requests wait in the {@code FlowControlHandler} in front of it). For each request it finds the
 * app by {@code Host}, picks an instance with the {@link Balancer} (DESIGN §6), takes a pooled
 * connection or opens one on this connection's event loop, and streams the request body up and the
 * response down.
 *
 * <p>Backpressure both ways: the user connection is read one message per {@code read()} and only
 * while the upstream connection is writable; the upstream connection is read one socket read at a
 * time and only while the user connection is writable. Nothing buffers a whole body, except the
 * first {@link ProxyLimits#replayBodyLimit()} bytes of a request body, kept (by reference) for an
 * {@code Outpost-Replay} answer.
 *
 * <p>Load: a request counts against its instance's limits from the pick to the end of its
 * response ({@code requests}), or the user connection counts from the first request routed to the
 * instance until it closes ({@code connections}, the connection then sticks to that instance). When
 * every instance is at its hard limit the request waits in the app's {@link WaitQueue}, then gets a
 * {@code 503}.
 *
 * <p>Autostart ({@code [scale] autostart}): a request of an app with no routable instance but a startable one
 * asks {@link dev.outpost.proxy.routing.Autostarts} to start the nearest (one start per app per edge, shared by
 * every request meanwhile) and waits in the same queue, its body unread, until a routing table lists an
 * instance ({@link ProxyLimits#autostartTimeout()}, then {@code 503}). A request at capacity starts one too, and
 * waits as it would anyway.
 *
 * <p>Retries (DESIGN §6.5): a connect failure (nothing written) ejects the instance for
 * {@link #EJECT_FOR} and is retried once on another instance. Once bytes reached an instance, a
 * request is retried only if its method is idempotent and it has no body: on a fresh connection to
 * the same instance when a pooled connection turned out closed, else on another instance.
 *
 * <p>Chunked requests wait for their first chunk before an instance is chosen, so a bad first chunk
 * size is refused ({@code 400}) before a byte goes upstream; a later bad chunk cuts the upstream
 * connection, so the instance never sees a complete request.
 */
public final class HttpProxyHandler extends ChannelInboundHandlerAdapter implements UpstreamHandler.Listener {
    /** How long an instance that refused a connection is avoided (passive health). */
    public static final Duration EJECT_FOR = Duration.ofSeconds(5);
    /** RFC 5842's status for a request that came back around ({@code CDN-Loop}, RFC 8586). */
    static final HttpResponseStatus LOOP_DETECTED = HttpResponseStatus.valueOf(508, "Loop Detected");

    /** Instances tried per request: the first choice and one retry. */
    static final int MAX_CONNECT_ATTEMPTS = 2;
    /** Largest unread request body discarded to keep a connection alive after an error answer. */
    static final long MAX_DRAIN_BYTES = 64 * 1024;
    /** Picks in a row that may lose their instance to another event loop before the request counts as at capacity. */
    private static final int CLAIM_ATTEMPTS = 3;
    /** The metrics' app tag when no app was routed: keeps the tag's values bounded whatever hosts users send. */
    private static final String NO_APP = "none";
    /** Header names set or read on every response, as AsciiString: its case-insensitive hash is computed once. */
    private static final AsciiString REQUEST_ID_NAME = AsciiString.cached(ErrorResponse.REQUEST_ID);
    private static final AsciiString REPLAY_NAME = AsciiString.cached(ReplayDirective.HEADER);

    private static final Logger LOG = LoggerFactory.getLogger(HttpProxyHandler.class);
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(
            HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);

    /**
     * Where the connection is. IDLE → AWAITING_BODY (chunked: first chunk before routing) |
     * CONNECTING (routed) | ANSWERING (error, no body left) | DRAINING (error, body to discard) | CLOSED;
     * AWAITING_BODY → CONNECTING | QUEUED | ANSWERING | CLOSED; CONNECTING → QUEUED (all at hard
     * limit) | STREAMING | CONNECTING (retry) | ANSWERING | DRAINING | CLOSED; QUEUED → CONNECTING |
     * ANSWERING | DRAINING | CLOSED; STREAMING → IDLE (keep-alive) | CONNECTING (retry, replay) |
     * ANSWERING | DRAINING | CLOSED; ANSWERING, DRAINING → IDLE | CLOSED.
     */
    private enum Phase { IDLE, AWAITING_BODY, CONNECTING, QUEUED, STREAMING, ANSWERING, DRAINING, CLOSED }

    private final EdgeContext edge;

    private ChannelHandlerContext ctx;
    private Phase phase = Phase.IDLE;
    private boolean awaitingClientMessage;
    /** For {@code connections} apps: the instance this user connection counts against, until it closes. */
    private Upstream pinned;
    private String pinnedApp;
    /** The app this connection's latest request was for, as the load reports count connections. */
    private EdgeDemand.App demand;

    // The exchange in progress; reset for every request.
    private ForwardedRequest request;
    private RoutingTable.AppRoutes app;
    private Placement placement;
    private boolean hasBody;
    private boolean clientKeepAlive;
    /** The user half-closed: no request comes after those already decoded. */
    private boolean inputShut;
    /** Requests this handler has taken on the connection, to tell pipelined ones waiting behind it ({@link #pipelinedAfter}). */
    private long requestsTaken;
    private String lastHostHeader;
    private AppHost lastHost;
    /** Whether the user speaks HTTP/1.1 on this connection (not an HTTP/2 stream): 0 until known, 1 yes, 2 no. */
    private int http1User;
    private boolean requestReceived;
    private boolean requestSent;
    private Upstream upstream;
    private boolean counted;
    private Channel upstreamChannel;
    private boolean reused;
    private boolean staleRetried;
    private final Set<Upstream> tried = new HashSet<>();
    /** The write listeners of every exchange, made once per connection rather than per write. */
    private final ChannelFutureListener lastPieceSent = this::lastPieceSent;
    private final ChannelFutureListener responseWritten = this::responseWritten;
    /**
     * When the instance must have begun its response (System.nanoTime), or 0 when none is awaited: set once the
     * whole request reached the instance, cleared by the response's head ({@code response_timeout}).
     */
    private long responseDeadline;
    /**
     * One timer per connection, not per request, as for the head timeout: an exchange only moves the deadline;
     * the timer, when it fires, re-arms for a later deadline or lapses until the next request arms it.
     */
    private ScheduledFuture<?> responseTimer;
    private final Runnable responseTimerFired = this::responseTimerFired;
    /**
     * On an HTTP/2 stream, which has no connection idle timer of its own: when a byte of the request body last
     * came (System.nanoTime), watched while the body is incomplete, so a stalled upload ends as on HTTP/1.1.
     */
    private long bodyReadNanos;
    /** On an HTTP/2 stream: when the user last took response bytes (its window opened), and whether that is watched. */
    private long userTookNanos;
    private boolean watchingUserReads;
    private final List<String> failures = new ArrayList<>();
    private boolean waitingForUpstreamWritable;
    private boolean waitingForClientWritable;
    private boolean responseStarted;
    private boolean interim;
    /** The interim response in progress is not passed on: an HTTP/1.0 user knows none (RFC 9110 §15.2). */
    private boolean interimHidden;
    private boolean upstreamKeepAlive;
    private HttpContent heldContent;
    private ReplayBody replayBody;
    private boolean replayed;
    private Waiter waiter;
    private long queuedAtNanos;
    private ScheduledFuture<?> queueTimer;
    /** The queued exchange waits for an instance to start rather than for a slot. */
    private boolean autostarting;
    private long startNanos;
    /** Whether this exchange's time is split for the access log (it is on): the fields below, else left alone. */
    private boolean timed;
    private long waitNanos;
    /** What the exchange waited for at the edge: "slot" (the queue) or "start" (an autostarted instance), or null. */
    private String waitedFor;
    private long connectStartNanos;
    /** Time to a connection to the instance that took the request, or -1 before one. */
    private long connectNanos;
    private long sentNanos;
    /** From sending the request to the final response head, or -1 before one. */
    private long responseNanos;
    private int attempts;
    private int status;
    private long bytesOut;
    private Upstream servedBy;
    private boolean finished = true;

    public HttpProxyHandler(EdgeContext edge) {
        this.edge = edge;
    }

    /** Closes the connection if no request is in progress; else it closes after the current response. Event loop only. */
    public void drain() {
        if (phase == Phase.IDLE) {
            phase = Phase.CLOSED;
            ctx.close();
        } else if (phase == Phase.CLOSED && ctx.pipeline().get(LingeringClose.class) != null) {
            // Answered and lingering only so the user could read the answer: a shutdown need not wait for it.
            ctx.close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        readClient();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        awaitingClientMessage = false;
        if (msg instanceof ForwardedRequest forwarded) {
            onRequest(forwarded);
        } else if (msg instanceof HttpContent content) {
            onRequestContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // FlowControlHandler counts a read() as answered by the end of a read cycle even when no
        // message came (the request may not have arrived yet): ask again until one does.
        if (awaitingClientMessage && phase != Phase.CLOSED) {
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && waitingForClientWritable && upstreamChannel != null) {
            waitingForClientWritable = false;
            userTookNanos = System.nanoTime();
            upstreamChannel.read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            idle();
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent && phase != Phase.CLOSED && !(ctx.channel() instanceof Http2StreamChannel)) {
            inputShut();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * The user's EOF. TCP cannot tell a half-close from a close, so the request says which it is:
     * <ul>
     *   <li>a request that asked to close the connection after its response ({@code HTTP/1.0},
     *       {@code Connection: close}) is a script's half-close ({@code printf 'GET / HTTP/1.0...' | nc -N}, some
     *       health checkers): it is answered, then the connection closes, as HAProxy does. A body cut short is
     *       refused by the decoder (400);</li>
     *   <li>a request that asked to keep the connection is a user that left (a browser closing a tab): the
     *       connection closes now, the instance's with it, and the request is logged 499, as nginx does, so an
     *       abandoned request does not hold one of the instance's slots until it answers;</li>
     *   <li>requests pipelined before the EOF are all answered, in order, whatever they asked, and the
     *       connection closes after the last: a browser does not pipeline, so this is a script
     *       ({@code printf 'GET /a HTTP/1.1...GET /b HTTP/1.1...' | nc -N}), as HAProxy answers it;</li>
     *   <li>between requests there is nothing to answer: the connection closes.</li>
     * </ul>
     * Plain HTTP/1.1 connections only ({@link EdgeProtocols#http1}): Netty closes others at the user's EOF.
     */
    private void inputShut() {
        inputShut = true;
        if (phase == Phase.IDLE) {
            phase = Phase.CLOSED;
            ctx.close();
        } else if (pipelinedAfter()) {
            // Requests pipelined before the EOF: a script, not a browser that left. Each is answered in turn, and
            // the connection closes after the last (startExchange).
        } else if (request.keepAlive()) {
            // As Netty's close at an EOF did: channelInactive ends the exchange (499, the queue, the instance).
            ctx.close();
        } else {
            clientKeepAlive = false;
        }
    }

    /** Whether the user sent request heads after the one in progress (HTTP/1.1 pipelining); they wait in the flow control. */
    private boolean pipelinedAfter() {
        EdgeCodec codec = ctx.pipeline().get(EdgeCodec.class);
        return codec != null && codec.requestHeads() > requestsTaken;
    }

    /**
     * Nothing went either way on the user's connection for the idle timeout. Between requests it closes.
     * During an upload it means the user stopped sending its body: the instance would wait, holding one of
     * its slots, for as long as the user likes (slowloris on the body), so the user gets a 408 and the
     * instance's connection closes. During a download whose user stopped reading, both close. A request
     * sent whole and waiting for its response is left to the response timeout.
     */
    private void idle() {
        if (phase == Phase.IDLE) {
            drain();
            return;
        }
        if (phase == Phase.CLOSED) {
            return;
        }
        String silence = Durations.format(edge.limits().clientIdleTimeout());
        if (hasBody && !requestReceived) {
            if (waitingForUpstreamWritable) {
                return; // the edge stopped reading because the instance is slow to take the body: not the user's silence
            }
            edge.metrics().rejected("body_timeout");
            if (!responseStarted) {
                answerAndClose(HttpResponseStatus.REQUEST_TIMEOUT, "the request body stalled: no byte of it came for " + silence
                        + ", so the request was not completed");
                return;
            }
        } else if (!(responseStarted && waitingForClientWritable)) {
            return;
        }
        LOG.debug("request {}: closing {}, silent for {} mid-exchange", request.requestId(), ctx.channel(), silence);
        phase = Phase.CLOSED;
        dropUpstream();
        ctx.close();
    }

    /** A stream's request body must keep coming: after the idle timeout with no byte of it, the stream ends in a 408. */
    private void watchStreamBody() {
        bodyReadNanos = System.nanoTime();
        checkStreamBodyIn(request, edge.limits().clientIdleTimeout().toNanos());
    }

    private void checkStreamBodyIn(ForwardedRequest watched, long nanos) {
        ctx.executor().schedule(() -> checkStreamBody(watched), nanos, TimeUnit.NANOSECONDS);
    }

    private void checkStreamBody(ForwardedRequest watched) {
        if (request != watched || phase == Phase.CLOSED || requestReceived) {
            return;
        }
        long timeout = edge.limits().clientIdleTimeout().toNanos();
        long left = bodyReadNanos + timeout - System.nanoTime();
        if (left > 0 || waitingForUpstreamWritable) {
            // Still coming, or held back by an instance slow to take it: not the user's silence.
            checkStreamBodyIn(watched, left > 0 ? left : timeout);
            return;
        }
        idle();
    }

    private void checkUserReadsIn(ForwardedRequest watched, long nanos) {
        ctx.executor().schedule(() -> checkUserReads(watched), nanos, TimeUnit.NANOSECONDS);
    }

    private void checkUserReads(ForwardedRequest watched) {
        if (request != watched || phase == Phase.CLOSED) {
            watchingUserReads = false;
            return;
        }
        long timeout = edge.limits().clientIdleTimeout().toNanos();
        long left = userTookNanos + timeout - System.nanoTime();
        if (!waitingForClientWritable || left > 0) {
            checkUserReadsIn(watched, left > 0 ? left : timeout);
            return;
        }
        watchingUserReads = false;
        idle();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!responseStarted && upstreamChannel != null) {
            // The user left while an instance had the request: its 499 names that instance, as nginx's $upstream_addr.
            servedBy = upstream;
        }
        if (phase == Phase.QUEUED) {
            leaveQueue("gone");
        }
        phase = Phase.CLOSED;
        if (responseTimer != null) {
            responseTimer.cancel(false);
            responseTimer = null;
        }
        dropUpstream();
        // A user who left before the response ended: 499, as nginx logs it.
        finish(responseStarted ? status : 499);
        releaseExchangeBuffers();
        unpin();
        if (demand != null) {
            demand.left();
            demand = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("user connection {} failed, closing it", ctx.channel(), cause);
        Throwable http2 = cause instanceof DecoderException && cause.getCause() instanceof Http2Exception ? cause.getCause() : cause;
        if (phase == Phase.IDLE && request == null && ctx.channel() instanceof Http2StreamChannel && http2 instanceof Http2Exception) {
            // A stream's request head Netty could not turn into a request (a Host that differs from :authority, a
            // pseudo-header out of place): the user learns why, where a bare reset said nothing.
            phase = Phase.CLOSED;
            edge.metrics().rejected("malformed");
            ctx.writeAndFlush(ErrorResponse.of(ctx.alloc(), HttpResponseStatus.BAD_REQUEST, "malformed request: " + http2.getMessage(),
                    Ids.requestId(20), false)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        phase = Phase.CLOSED;
        ctx.close();
    }

    // ---- the request ----

    private void onRequest(ForwardedRequest forwarded) {
        if (phase == Phase.CLOSED) {
            // A head cut short by the user's reset or close: the decoder hands it on as the connection ends.
            LOG.debug("request {} arrived after {} closed; dropped", forwarded.requestId(), ctx.channel());
            ctx.close();
            return;
        }
        if (phase != Phase.IDLE) {
            LOG.warn("request {} arrived while the previous one is {}; closing {}", forwarded.requestId(), phase, ctx.channel());
            phase = Phase.CLOSED;
            ctx.close();
            return;
        }
        startExchange(forwarded);
        if (hasBody && ctx.channel() instanceof Http2StreamChannel) {
            watchStreamBody();
        }
        HttpRequest head = forwarded.request();
        if (head.decoderResult().isFailure()) {
            refuse(head.decoderResult().cause());
            return;
        }
        if (forwarded.passes() >= ForwardedHeadersHandler.MAX_PASSES) {
            edge.metrics().rejected("loop");
            answer(LOOP_DETECTED, "loop detected: this request already passed through Outpost's edges " + forwarded.passes()
                    + " times (CDN-Loop); an app probably forwards requests to its own address, or two apps forward to each other");
            return;
        }
        String hostHeader = head.headers().get(HttpHeaderNames.HOST);
        if (hostHeader == null || hostHeader.isBlank()) {
            edge.metrics().rejected("malformed");
            answerAndClose(HttpResponseStatus.BAD_REQUEST, "malformed request: no Host header");
            return;
        }
        if (!hostHeader.equals(lastHostHeader)) {
            // A keep-alive connection names the same host request after request: checked and parsed once.
            if (!AppHost.isValidHost(hostHeader.trim())) {
                edge.metrics().rejected("malformed");
                answerAndClose(HttpResponseStatus.BAD_REQUEST, "malformed request: the Host header '" + hostHeader
                        + "' is not a host name with an optional :port");
                return;
            }
            lastHost = AppHost.parse(hostHeader);
            lastHostHeader = hostHeader;
        }
        AppHost host = lastHost;
        Optional<RoutingTable.AppRoutes> found = host.app().flatMap(name -> edge.routes().get().app(name));
        if (found.isEmpty()) {
            answer(HttpResponseStatus.NOT_FOUND, "no app is deployed at " + host.host());
            return;
        }
        Optional<String> suspended = edge.routes().get().suspended(found.get().app());
        if (suspended.isPresent()) {
            answer(HttpResponseStatus.SERVICE_UNAVAILABLE, suspended.get());
            return;
        }
        app = found.get();
        demand = edge.metrics().demand().arrived(app.app(), demand);
        if (app.isEmpty()) {
            demand.unserved();
            if (app.autostart() && (app.canAutostart() || edge.autostarts().pending(app.app()))) {
                // Held before a byte of the body is read: nothing is buffered while the instance starts.
                holdForAutostart();
                return;
            }
            answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "app " + app.app() + " has no healthy instance in any region");
            return;
        }
        if (HttpUtil.isTransferEncodingChunked(head) && !HttpUtil.is100ContinueExpected(head)) {
            // Read the first chunk before choosing: a bad chunk size is then refused before a byte goes upstream.
            phase = Phase.AWAITING_BODY;
            readClient();
            return;
        }
        phase = Phase.CONNECTING;
        route();
    }

    /** A head the decoder refused: answered with what was wrong, then the connection closes. */
    private void refuse(Throwable cause) {
        ProxyLimits limits = edge.limits();
        if (cause instanceof RequestRejectedException rejected) {
            int code = rejected.status().code();
            edge.metrics().rejected(code == 431 ? "too_large" : code == 501 ? "method" : code == 505 ? "version" : "malformed");
            answerAndClose(rejected.status(), rejected.getMessage());
        } else if (cause instanceof TooLongHttpLineException) {
            edge.metrics().rejected("too_large");
            answerAndClose(HttpResponseStatus.REQUEST_URI_TOO_LONG,
                    "request line longer than " + limits.maxRequestLineLength() + " bytes; shorten the URI");
        } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            edge.metrics().rejected("too_large");
            answerAndClose(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "request headers larger than " + limits.maxHeaderSize() + " bytes");
        } else {
            edge.metrics().rejected("malformed");
            answerAndClose(HttpResponseStatus.BAD_REQUEST, "malformed request: " + cause.getMessage());
        }
    }

    private void startExchange(ForwardedRequest forwarded) {
        request = forwarded;
        HttpRequest head = forwarded.request();
        // A head that failed to decode may carry an unreadable Content-Length; it is answered 400 and closed anyway.
        hasBody = head.decoderResult().isSuccess()
                && (HttpUtil.isTransferEncodingChunked(head) || HttpUtil.getContentLength(head, 0L) > 0);
        requestsTaken++;
        // After the user's EOF, only a request with more pipelined behind it keeps the connection.
        clientKeepAlive = forwarded.keepAlive() && !edge.draining().getAsBoolean() && !(inputShut && !pipelinedAfter());
        placement = forwarded.placement();
        requestReceived = false;
        requestSent = false;
        app = null;
        upstream = null;
        counted = false;
        upstreamChannel = null;
        reused = false;
        staleRetried = false;
        tried.clear();
        failures.clear();
        waitingForUpstreamWritable = false;
        waitingForClientWritable = false;
        responseStarted = false;
        responseDeadline = 0;
        interim = false;
        interimHidden = false;
        upstreamKeepAlive = false;
        heldContent = null;
        replayBody = hasBody ? new ReplayBody(ctx.alloc(), edge.limits().replayBodyLimit()) : null;
        replayed = false;
        waiter = null;
        autostarting = false;
        startNanos = System.nanoTime();
        timed = edge.accessLog().enabled();
        waitNanos = 0;
        waitedFor = null;
        connectNanos = -1;
        responseNanos = -1;
        attempts = 0;
        status = 0;
        bytesOut = 0;
        servedBy = null;
        finished = false;
    }

    private void onRequestContent(HttpContent content) {
        bodyReadNanos = System.nanoTime();
        if (content.decoderResult().isFailure() && phase != Phase.CLOSED) {
            // A broken chunk must not reach the instance as the end of a shorter body.
            String cause = content.decoderResult().cause().getMessage();
            content.release();
            edge.metrics().rejected("malformed");
            if (responseStarted) {
                phase = Phase.CLOSED;
                dropUpstream();
                ctx.close();
            } else {
                answerAndClose(HttpResponseStatus.BAD_REQUEST, "malformed request body: " + cause);
            }
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (last) {
            requestReceived = true;
        }
        if (phase == Phase.AWAITING_BODY) {
            heldContent = content;
            phase = Phase.CONNECTING;
            route();
            return;
        }
        if (phase == Phase.STREAMING && upstreamChannel != null) {
            forwardContent(content);
            return;
        }
        content.release();
        if (phase == Phase.DRAINING) {
            if (last) {
                nextRequest();
            } else {
                readClient();
            }
        }
    }

    /** Writes a piece of the request body upstream, keeping a view of it for a replay. */
    private void forwardContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (replayBody != null) {
            replayBody.append(content.content());
        }
        // A failed write: the instance went away mid-request, and its channelInactive answers the user.
        upstreamChannel.writeAndFlush(content).addListener(last ? lastPieceSent : ChannelFutureListener.CLOSE_ON_FAILURE);
        if (!last) {
            readClientWhenUpstreamWritable();
        }
    }

    /** Asks for the next message from the user; FlowControlHandler delivers exactly one. */
    private void readClient() {
        awaitingClientMessage = true;
        ctx.read();
    }

    private void readClientWhenUpstreamWritable() {
        if (upstreamChannel.isWritable()) {
            readClient();
        } else {
            waitingForUpstreamWritable = true;
        }
    }

    // ---- choosing an instance ----

    /** Picks an instance and connects, or queues, or answers why not. Phase CONNECTING. */
    private void route() {
        Balancer.Choice choice = choose();
        switch (choice) {
            case Balancer.Choice.Chosen chosen -> connect(chosen.upstream());
            case Balancer.Choice.AtCapacity full -> enqueue(full.instances());
            case Balancer.Choice.NoCandidate none -> noCandidate();
        }
    }

    /** A pick that is already counted against its instance (or the connection's pin), or why there is none. */
    private Balancer.Choice choose() {
        if (app.concurrency() == Concurrency.CONNECTIONS && pinned != null && placement.kind() == Placement.Kind.ANY
                && app.lists(pinned) && !tried.contains(pinned) && !pinned.isEjected(System.nanoTime())) {
            upstream = pinned;
            return new Balancer.Choice.Chosen(pinned);
        }
        if (tried.size() >= MAX_CONNECT_ATTEMPTS) {
            return new Balancer.Choice.NoCandidate();
        }
        for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
            Balancer.Choice choice = edge.balancer().choose(app, placement, tried);
            if (!(choice instanceof Balancer.Choice.Chosen chosen)) {
                return choice;
            }
            if (claim(chosen.upstream())) {
                return choice;
            }
        }
        return new Balancer.Choice.AtCapacity(app.upstreams().size());
    }

    /** Counts the request (or, for {@code connections}, this connection) against {@code chosen}; false when it just filled up. */
    private boolean claim(Upstream chosen) {
        if (app.concurrency() == Concurrency.CONNECTIONS) {
            if (chosen != pinned) {
                if (!chosen.tryBegin(app.hardLimit())) {
                    return false;
                }
                unpin();
                pinned = chosen;
                pinnedApp = app.app();
            }
        } else {
            if (!chosen.tryBegin(app.hardLimit())) {
                return false;
            }
            counted = true;
        }
        upstream = chosen;
        return true;
    }

    private void noCandidate() {
        if (!failures.isEmpty()) {
            answer(HttpResponseStatus.BAD_GATEWAY, "upstream " + String.join("; ", failures) + http1Hint());
            return;
        }
        String why = switch (placement.kind()) {
            case FORCE_REGION -> "app " + app.app() + " has no healthy instance in region " + placement.value()
                    + (replayed ? " (replay asked by the instance)" : " (Outpost-Force-Region)");
            case FORCE_INSTANCE -> "app " + app.app() + " has no healthy instance " + placement.value()
                    + (replayed ? " (replay asked by the instance)" : " (Outpost-Force-Instance)");
            default -> "app " + app.app() + " has no healthy instance in any region";
        };
        demand.unserved();
        answer(HttpResponseStatus.SERVICE_UNAVAILABLE, why);
    }

    // ---- waiting for capacity ----

    /** Every matching instance is at its hard limit: wait in the app's queue, or answer 503 when it is full. */
    private void enqueue(int instances) {
        demand.unserved();
        if (app.canAutostart()) {
            // Every instance is full and more could run: start one; the queue wakes when the table lists it.
            edge.autostarts().start(app);
        }
        waitInQueue(false, edge.limits().queueTimeout(), atCapacity(instances), "", ", and none had room within ");
    }

    /**
     * Puts this exchange in its app's queue for up to {@code timeout} ({@code forStart}: waiting for an instance to
     * start, else for a slot); answers 503 with {@code why} when the queue is full ({@code full} added) or the wait
     * ends ({@code late} and the timeout added). Null when the queue was full.
     */
    private Waiter waitInQueue(boolean forStart, Duration timeout, String why, String full, String late) {
        WaitQueue queue = edge.queues().of(app.app());
        Waiter w = new Waiter(queue);
        autostarting = forStart;
        if (!queue.enqueue(w)) {
            waited("full", 0);
            answer(HttpResponseStatus.SERVICE_UNAVAILABLE, why + ", and " + edge.queues().capacity()
                    + " requests are already waiting" + full);
            return null;
        }
        phase = Phase.QUEUED;
        waiter = w;
        queuedAtNanos = System.nanoTime();
        queueTimer = ctx.executor().schedule(() -> {
            if (phase == Phase.QUEUED && waiter == w) {
                leaveQueue("timeout");
                phase = Phase.CONNECTING;
                answer(HttpResponseStatus.SERVICE_UNAVAILABLE, why + late + Durations.format(timeout));
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        return w;
    }

    private void waited(String outcome, long nanos) {
        waitNanos += nanos;
        waitedFor = autostarting ? "start" : "slot";
        if (autostarting) {
            edge.metrics().autostartHold(app.app(), outcome, nanos);
        } else {
            edge.metrics().queueWait(app.app(), outcome, nanos);
        }
    }

    /** No instance is routable and one may start: start it (or join the start in flight) and wait for it. */
    private void holdForAutostart() {
        CompletableFuture<Void> start = edge.autostarts().start(app);
        Waiter w = waitInQueue(true, edge.limits().autostartTimeout(), stopped(), " for one to start",
                ", and starting one did not finish within ");
        if (w == null) {
            return;
        }
        start.whenComplete((ok, error) -> ctx.executor().execute(() -> autostarted(w, error)));
    }

    /** The start this exchange waits for is done (the table lists an instance) or failed. */
    private void autostarted(Waiter w, Throwable error) {
        if (phase != Phase.QUEUED || waiter != w) {
            return;
        }
        if (error != null) {
            leaveQueue("failed");
            phase = Phase.CONNECTING;
            answer(HttpResponseStatus.SERVICE_UNAVAILABLE, stopped() + ", and starting one failed: " + error.getMessage());
            return;
        }
        if (w.queue.remove(w)) {
            woken(w);
        }
    }

    private String stopped() {
        return "app " + app.app() + " has no running instance (its instances are stopped)";
    }

    private String atCapacity(int instances) {
        String limit = app.hardLimit() == Integer.MAX_VALUE ? "" : " of " + app.hardLimit() + " "
                + (app.concurrency() == Concurrency.CONNECTIONS ? "connections" : "requests");
        return "app " + app.app() + " is at capacity: " + (instances == 1 ? "its instance is" : "all " + instances + " instances are")
                + " at the hard limit" + limit + (placement.kind() == Placement.Kind.ANY ? "" : " (" + placement.describe() + ")");
    }

    /** Called on this connection's loop when its turn came: pick again, or keep the place at the head. */
    private void woken(Waiter w) {
        if (phase != Phase.QUEUED || waiter != w) {
            return;
        }
        if (edge.draining().getAsBoolean()) {
            leaveQueue("gone");
            phase = Phase.CONNECTING;
            answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "the edge proxy of region " + edge.region() + " is shutting down");
            return;
        }
        if (autostarting) {
            // The request read the table before the instance started: route on the table of now.
            RoutingTable current = edge.routes().get();
            Optional<String> suspended = current.suspended(app.app());
            if (suspended.isPresent()) {
                leaveQueue("failed");
                phase = Phase.CONNECTING;
                answer(HttpResponseStatus.SERVICE_UNAVAILABLE, suspended.get());
                return;
            }
            app = current.app(app.app()).orElse(app);
        }
        Balancer.Choice choice = choose();
        switch (choice) {
            case Balancer.Choice.Chosen chosen -> {
                leaveQueue("served");
                phase = Phase.CONNECTING;
                connect(chosen.upstream());
            }
            case Balancer.Choice.AtCapacity full -> w.queue.requeue(w);
            case Balancer.Choice.NoCandidate none when autostarting -> w.queue.requeue(w);
            case Balancer.Choice.NoCandidate none -> {
                leaveQueue("served");
                phase = Phase.CONNECTING;
                noCandidate();
            }
        }
    }

    private void leaveQueue(String outcome) {
        Waiter w = waiter;
        waiter = null;
        if (queueTimer != null) {
            queueTimer.cancel(false);
            queueTimer = null;
        }
        if (w != null) {
            w.queue.remove(w);
            waited(outcome, System.nanoTime() - queuedAtNanos);
        }
    }

    /** This exchange's place in a queue; woken from any thread, it continues on the connection's loop. */
    private final class Waiter implements WaitQueue.Waiter {
        private final WaitQueue queue;

        Waiter(WaitQueue queue) {
            this.queue = queue;
        }

        @Override
        public void wake() {
            ctx.executor().execute(() -> woken(this));
        }
    }

    // ---- connecting to an instance ----

    private void connect(Upstream chosen) {
        tried.add(chosen);
        attempts++;
        if (timed) {
            connectStartNanos = System.nanoTime();
        }
        edge.metrics().routed(app.app(), chosen.region().equals(edge.region()));
        if (tried.size() == 1 && !chosen.region().equals(edge.region())) {
            demand.remote();
        }
        if (overH2c()) {
            openStream(chosen, false);
            return;
        }
        Channel pooled = edge.pool().poll(chosen);
        if (pooled != null) {
            attach(pooled, true);
        } else {
            connectFresh(chosen);
        }
    }

    private void connectFresh(Upstream chosen) {
        if (overH2c()) {
            openStream(chosen, true);
            return;
        }
        edge.pool().connect(chosen, ctx.channel().eventLoop()).addListener((ChannelFuture f) -> {
            if (phase != Phase.CONNECTING || upstream != chosen) {
                // The user left (or the exchange moved on) while connecting; the fresh connection is still good.
                if (f.isSuccess()) {
                    edge.pool().release(chosen, f.channel());
                }
                return;
            }
            if (f.isSuccess()) {
                attach(f.channel(), false);
            } else {
                connectFailed(chosen, f.cause());
            }
        });
    }

    /**
     * Whether this exchange is a stream on the instance's h2c connection: for {@code h2_backend} apps, except
     * an {@code Upgrade} (WebSocket), which HTTP/2 cannot carry: it goes over a fresh HTTP/1.1 connection,
     * which the instance serves on the same port (most h2c servers speak both), never pooled afterwards.
     */
    private boolean overH2c() {
        return app.h2Backend() && !request.request().headers().contains(HttpHeaderNames.UPGRADE);
    }

    /** What to add to a 502 when an {@code Upgrade} to an {@code h2_backend} app found no HTTP/1.1 there. */
    private String http1Hint() {
        return app != null && app.h2Backend() && !overH2c()
                ? " (app " + app.app() + " has h2_backend = true: an Upgrade (WebSocket) request goes to its instance over "
                        + "HTTP/1.1, which an instance that speaks h2c only cannot answer; serve HTTP/1.1 on the same port too)"
                : "";
    }

    /** {@code h2_backend}: the exchange is a stream on this loop's HTTP/2 connection to the instance, driven as a connection. */
    private void openStream(Upstream chosen, boolean fresh) {
        edge.pool().openStream(chosen, ctx.channel().eventLoop(), fresh).addListener((Future<Channel> f) -> {
            if (phase != Phase.CONNECTING || upstream != chosen) {
                if (f.isSuccess()) {
                    f.getNow().close();
                }
                return;
            }
            if (f.isSuccess()) {
                attach(f.getNow(), !fresh);
            } else {
                connectFailed(chosen, f.cause());
            }
        });
    }

    private void connectFailed(Upstream failed, Throwable cause) {
        failed.eject(EJECT_FOR);
        releaseLoad(true);
        failures.add(failed.describe() + " failed: " + describe(cause));
        edge.metrics().connectError(app.app(), failed.region());
        LOG.warn("request {}: connecting to {} failed ({}); it is ejected for {}", request.requestId(), failed.describe(),
                describe(cause), Durations.format(EJECT_FOR));
        route();
    }

    private void attach(Channel channel, boolean pooled) {
        if (timed) {
            sentNanos = System.nanoTime();
            connectNanos = sentNanos - connectStartNanos;
        }
        upstreamChannel = channel;
        reused = pooled;
        UpstreamHandler.of(channel).listener(this);
        UpstreamCodec codec = UpstreamCodec.of(channel);
        if (codec != null) {
            codec.allowRaw(rawAllowed() ? new RawResponse.Target(request.requestId(), clientKeepAlive) : null);
        }
        phase = Phase.STREAMING;
        // A first send of a request without a body: its empty end was decoded with the head and waits
        // in the flow handler, so the head is written unflushed and the end's write flushes both (one
        // syscall per request, not two); the flush after it is a no-op then, and covers an end not yet here.
        boolean headWithEnd = !hasBody && heldContent == null && !requestReceived;
        ChannelFuture headWritten = headWithEnd ? channel.write(request.request()) : channel.writeAndFlush(request.request());
        headWritten.addListener((ChannelFuture f) -> {
            if (channel != upstreamChannel) {
                return;
            }
            if (!f.isSuccess()) {
                headNotWritten(channel, f.cause());
                return;
            }
            if (headWithEnd) {
                return;
            }
            if (heldContent != null) {
                HttpContent first = heldContent;
                heldContent = null;
                forwardContent(first);
            } else if (requestReceived) {
                // Sent again (a retry or a replay): the body is the kept copy, or empty.
                ReplayBody kept = replayBody;
                LastHttpContent body = kept == null ? LastHttpContent.EMPTY_LAST_CONTENT : new DefaultLastHttpContent(kept.body());
                channel.writeAndFlush(body).addListener(lastPieceSent);
            } else {
                readClientWhenUpstreamWritable();
            }
        });
        if (headWithEnd && channel == upstreamChannel) {
            readClientWhenUpstreamWritable();
            channel.flush();
        }
        channel.read();
    }

    /**
     * Whether the response may come as bytes ({@link RawResponse}) and go to the user as bytes: only
     * to an HTTP/1.1 user on its own connection, and not for HEAD, CONNECT or an upgrade, whose
     * answers the decoded path frames.
     */
    private boolean rawAllowed() {
        if (http1User == 0) {
            http1User = ctx.pipeline().get(EdgeCodec.class) != null ? 1 : 2;
        }
        HttpRequest head = request.request();
        return http1User == 1 && HttpVersion.HTTP_1_1.equals(request.clientVersion())
                && !HttpMethod.HEAD.equals(head.method()) && !HttpMethod.CONNECT.equals(head.method())
                && !head.headers().contains(HttpHeaderNames.UPGRADE);
    }

    /** Writing the head failed: not a byte reached the instance, so trying again is safe. */
    private void headNotWritten(Channel channel, Throwable cause) {
        detach(channel);
        channel.close();
        phase = Phase.CONNECTING;
        if (reused && !staleRetried) {
            staleRetried = true;
            connectFresh(upstream);
        } else {
            connectFailed(upstream, cause);
        }
    }

    // ---- the response ----

    @Override
    public void onUpstreamMessage(Object message) {
        if (phase != Phase.STREAMING) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message instanceof RawResponse raw) {
            onRawResponse(raw);
            return;
        }
        if (message instanceof RawBody body) {
            onRawBody(body);
            return;
        }
        if (message instanceof HttpResponse response) {
            if (onResponseHead(response)) {
                // Replayed: this response goes no further, and its content neither.
                ReferenceCountUtil.release(message);
                return;
            }
        }
        if (message instanceof HttpContent content) {
            onResponseContent(content);
        }
    }

    /** Passes the head on; true when it was an {@code Outpost-Replay} answer acted on instead. */
    private boolean onResponseHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            Throwable cause = response.decoderResult().cause();
            failUpstream(cause instanceof TooLongHttpHeaderException
                    ? "sent response headers larger than " + UpstreamCodec.MAX_HEADER_SIZE / 1024 + " KiB, more than the edge takes"
                    : "sent a malformed response (" + cause.getMessage() + ")");
            return false;
        }
        int code = response.status().code();
        if (code < 100 || code > 999) {
            failUpstream("sent a malformed response (status " + code + "; a status code has three digits)");
            return false;
        }
        String replay = response.headers().get(REPLAY_NAME);
        if (replay != null && code >= 200) {
            response.headers().remove(REPLAY_NAME);
            if (replay(replay)) {
                return true;
            }
        }
        String upgrade = request.request().headers().get(HttpHeaderNames.UPGRADE);
        if (code == 101 && upgrade != null && response.headers().contains(HttpHeaderNames.UPGRADE)) {
            switchProtocols(response);
            return false;
        }
        if (code == 101) {
            // Passed on, it would tell the user the connection now speaks something else, which nobody named.
            failUpstream("answered 101 Switching Protocols " + (upgrade == null ? "to a request that asked for no upgrade"
                    : "without an Upgrade header naming the protocol"));
            return false;
        }
        // Read before the Connection header goes with the other hop-by-hop headers.
        boolean keepAlive = HttpUtil.isKeepAlive(response);
        HopByHopHeaders.strip(response.headers());
        response.headers().set(REQUEST_ID_NAME, request.requestId());
        if (code >= 100 && code < 200) {
            // 100 Continue and friends: pass on, the final response follows; the instance is alive, its wait starts again.
            interim = true;
            if (responseDeadline != 0) {
                awaitResponse();
            }
            interimHidden = HttpVersion.HTTP_1_0.equals(request.clientVersion());
            if (!interimHidden) {
                ctx.write(response, ctx.voidPromise());
            }
            return false;
        }
        responseStarted = true;
        responseHeadCame();
        responseDeadline = 0;
        status = code;
        servedBy = upstream;
        upstreamKeepAlive = keepAlive;
        frame(response);
        ctx.write(response, ctx.voidPromise());
        return false;
    }

    /**
     * The instance accepted the request's {@code Upgrade} (WebSocket, ...): the 101 goes to the user,
     * then both connections leave HTTP and carry raw bytes ({@link RawRelay}) until either closes.
     * The exchange is logged as 101 now and stops counting against the instance's request limit;
     * the upstream connection is the relay's and never returns to the pool.
     */
    private void switchProtocols(HttpResponse response) {
        String protocol = response.headers().get(HttpHeaderNames.UPGRADE);
        HopByHopHeaders.strip(response.headers());
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE).set(HttpHeaderNames.UPGRADE, protocol)
                .set(ErrorResponse.REQUEST_ID, request.requestId());
        responseStarted = true;
        responseHeadCame();
        responseDeadline = 0;
        status = 101;
        servedBy = upstream;
        Channel upstreamSide = upstreamChannel;
        detach(upstreamSide);
        releaseLoad(false);
        unpin();
        finish(101);
        releaseExchangeBuffers();
        phase = Phase.CLOSED;
        ExtendedConnect connect = ExtendedConnect.requestedOn(ctx.channel());
        if (connect != null) {
            // An HTTP/2 user (RFC 8441): the stream itself becomes the tunnel.
            connect.tunnel(ctx, upstreamSide, response);
            return;
        }
        // Encoded as it is written: the encoders can go right after.
        ctx.writeAndFlush(response);
        ChannelPipeline client = ctx.pipeline();
        ChannelPipeline instance = upstreamSide.pipeline();
        EdgeCodec clientCodec = client.get(EdgeCodec.class);
        UpstreamCodec instanceCodec = instance.get(UpstreamCodec.class);
        // Encoders first, so no relayed byte is taken for an HTTP message; the decoders go last, handing
        // whatever bytes they hold (sent right after the request or the 101) to the relays.
        clientCodec.removeOutboundHandler();
        instanceCodec.removeOutboundHandler();
        instance.replace(UpstreamHandler.class, "relay", new RawRelay(ctx.channel()));
        // The half-closes a plain HTTP/1.1 connection allows are for its requests (userEventTriggered): once it
        // carries a WebSocket, the user's EOF closes both sides at once, as before.
        ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        client.replace(this, "relay", new RawRelay(upstreamSide));
        for (String name : List.of("idle", "forwarded", "flow")) {
            if (client.get(name) != null) {
                client.remove(name);
            }
        }
        if (instance.get("idle") != null) {
            instance.remove("idle");
        }
        instance.remove(instanceCodec);
        client.remove(clientCodec);
    }

    /**
     * Acts on {@code Outpost-Replay}: drops the instance's answer and sends the request again where
     * it says. Refused (the instance's own answer goes to the user, with a warning) when the request
     * was already replayed, its body is not all here or was larger than the replay limit, or the
     * header cannot be read.
     */
    private boolean replay(String header) {
        Optional<Placement> target = ReplayDirective.parse(header);
        String refusal = target.isEmpty() ? "its value is neither region=R nor instance=ID"
                : replayed ? "the request was already replayed once"
                : !requestReceived ? "the request body had not been received whole when the instance answered"
                : replayBody != null && !replayBody.complete() ? "the request body is larger than "
                        + edge.limits().replayBodyLimit() + " bytes"
                : null;
        if (refusal != null) {
            LOG.warn("request {}: {} answered {}: {} but the proxy does not replay it: {}; passing its answer on",
                    request.requestId(), upstream.describe(), ReplayDirective.HEADER, header, refusal);
            edge.metrics().replay(app.app(), "refused");
            return false;
        }
        edge.metrics().replay(app.app(), "replayed");
        LOG.debug("request {}: {} asked for a replay in {}", request.requestId(), upstream.describe(), target.get().describe());
        Channel channel = upstreamChannel;
        detach(channel);
        // The rest of this answer is not wanted; closing is cheaper than reading it to reuse the connection.
        channel.close();
        releaseLoad(false);
        replayed = true;
        placement = target.get();
        tried.clear();
        failures.clear();
        staleRetried = false;
        requestSent = false;
        phase = Phase.CONNECTING;
        route();
        return true;
    }

    /** Chooses how the body is delimited towards the user and announces whether the connection stays open. */
    private void frame(HttpResponse response) {
        boolean http10 = request.clientVersion().equals(HttpVersion.HTTP_1_0);
        int code = response.status().code();
        boolean bodiless = request.request().method().equals(HttpMethod.HEAD) || code == 204 || code == 304;
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        if (!bodiless && !chunked && !HttpUtil.isContentLengthSet(response)) {
            // The instance ends the body by closing; re-frame it so the user's connection can stay open.
            if (http10) {
                clientKeepAlive = false;
            } else {
                HttpUtil.setTransferEncodingChunked(response, true);
            }
        } else if (http10 && chunked) {
            // HTTP/1.0 has no chunks: send the bytes as they come and end the body by closing.
            HttpUtil.setTransferEncodingChunked(response, false);
            clientKeepAlive = false;
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        HttpUtil.setKeepAlive(response, clientKeepAlive);
        if (clientKeepAlive && http10) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /**
     * A response whose head the codec rewrote as bytes for this exchange ({@link RawResponse}): what
     * {@link #onResponseHead} and {@link #frame} do to a decoded one is done. Its body's rest, if
     * any, follows as {@link RawBody} pieces.
     */
    private void onRawResponse(RawResponse raw) {
        responseStarted = true;
        responseHeadCame();
        responseDeadline = 0;
        status = raw.status();
        servedBy = upstream;
        upstreamKeepAlive = raw.keepAlive();
        bytesOut += raw.bodyBytes();
        EdgeCodec.Raw start = new EdgeCodec.Raw(raw.content(), true);
        if (raw.bodyToCome() == 0) {
            endResponse(start);
        } else {
            ctx.write(start, ctx.voidPromise());
        }
    }

    private void onRawBody(RawBody body) {
        bytesOut += body.content().readableBytes();
        EdgeCodec.Raw piece = new EdgeCodec.Raw(body.content(), false);
        if (body.last()) {
            endResponse(piece);
        } else {
            ctx.write(piece, ctx.voidPromise());
        }
    }

    private void onResponseContent(HttpContent content) {
        bytesOut += content.content().readableBytes();
        if (!(content instanceof LastHttpContent)) {
            ctx.write(content, ctx.voidPromise());
            return;
        }
        if (interim) {
            interim = false;
            if (interimHidden) {
                content.release();
            } else {
                ctx.write(content, ctx.voidPromise());
            }
            return;
        }
        endResponse(content);
    }

    /** The response's last piece ({@code last}) is here: the upstream connection goes back, the user gets it, the exchange ends. */
    private void endResponse(Object last) {
        Channel channel = upstreamChannel;
        detach(channel);
        if (upstreamKeepAlive && requestSent && channel.isActive() && !app.h2Backend()) {
            edge.pool().release(upstream, channel);
        } else {
            channel.close();
        }
        releaseLoad(false);
        ctx.writeAndFlush(last).addListener(responseWritten);
    }

    /** The whole request reached the instance (or it answered an interim response): its response must begin in time. */
    private void awaitResponse() {
        long timeout = app.responseTimeoutNanos();
        if (app.grpcResponseTimeoutNanos() != timeout && H2UpstreamAdapter.isGrpc(request.request())) {
            // The app set no response_timeout: a gRPC call is bounded by its own deadline (grpc-timeout), and a
            // server stream sends its headers with its first message, which a watch may send minutes later.
            timeout = app.grpcResponseTimeoutNanos();
            if (timeout == 0) {
                responseDeadline = 0;
                return;
            }
        }
        responseDeadline = Math.max(1, System.nanoTime() + timeout);
        if (responseTimer == null) {
            responseTimer = ctx.executor().schedule(responseTimerFired, timeout, TimeUnit.NANOSECONDS);
        }
    }

    private void responseTimerFired() {
        responseTimer = null;
        if (responseDeadline == 0 || phase != Phase.STREAMING || responseStarted) {
            return; // nothing awaited: the next request arms the timer again
        }
        long left = responseDeadline - System.nanoTime();
        if (left > 0) {
            // A later exchange's deadline than the one the timer was set for.
            responseTimer = ctx.executor().schedule(responseTimerFired, left, TimeUnit.NANOSECONDS);
            return;
        }
        responseDeadline = 0;
        Upstream silent = upstream;
        String waited = Durations.format(Duration.ofNanos(app.responseTimeoutNanos()));
        edge.metrics().responseTimeout(app.app(), silent.region());
        LOG.warn("request {}: {} sent no response within {}", request.requestId(), silent.describe(), waited);
        // The instance may still be working on it: its connection cannot carry another request, so it closes.
        answer(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream " + silent.describe() + " sent no response within " + waited
                + " of receiving the whole request (it may still be working on it); an app that needs longer sets "
                + "response_timeout in [services.http_options]");
    }

    /** The response's end reached the user's connection, or could not. */
    private void responseWritten(ChannelFuture f) {
        if (!f.isSuccess()) {
            LOG.debug("request {}: the user left before the response was written", request.requestId(), f.cause());
            phase = Phase.CLOSED;
            ctx.close();
            return;
        }
        finish(status);
        nextRequest();
    }

    /**
     * The request's last piece went upstream: the whole request is written, so the upstream
     * connection may go back to the pool after the response. A failed write closes it, as for
     * every other piece.
     */
    private void lastPieceSent(ChannelFuture f) {
        if (f.isSuccess() && f.channel() == upstreamChannel) {
            requestSent = true;
            if (!responseStarted) {
                awaitResponse();
            }
        } else if (!f.isSuccess()) {
            f.channel().close();
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        ctx.flush();
        if (upstreamChannel == null) {
            return;
        }
        if (ctx.channel().isWritable()) {
            upstreamChannel.read();
        } else {
            waitingForClientWritable = true;
            if (!watchingUserReads && ctx.channel() instanceof Http2StreamChannel) {
                // A stream whose user stops taking the response (its flow-control window stays shut) would hold the
                // instance's slot for good: the connection's idle timer does not see one stream among others.
                watchingUserReads = true;
                userTookNanos = System.nanoTime();
                checkUserReadsIn(request, edge.limits().clientIdleTimeout().toNanos());
            }
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable && waitingForUpstreamWritable && phase == Phase.STREAMING) {
            waitingForUpstreamWritable = false;
            readClient();
        }
    }

    @Override
    public void onUpstreamInactive() {
        if (phase != Phase.STREAMING || upstreamChannel == null) {
            return;
        }
        Channel channel = upstreamChannel;
        detach(channel);
        String refused = H2UpstreamAdapter.refusedWhy(channel);
        if (refused != null) {
            failUpstream(refused);
            return;
        }
        boolean repeatable = !responseStarted && !hasBody && IDEMPOTENT.contains(request.request().method());
        if (repeatable && reused && !staleRetried) {
            // A pooled connection the instance had just closed: the usual keep-alive race, safe to repeat.
            LOG.debug("request {}: pooled connection to {} was closed by the instance; retrying on a new one",
                    request.requestId(), upstream.describe());
            staleRetried = true;
            phase = Phase.CONNECTING;
            connectFresh(upstream);
            return;
        }
        if (repeatable) {
            // Bytes reached the instance, but an idempotent request without a body may be sent again elsewhere.
            LOG.warn("request {}: {} closed the connection before answering; trying another instance",
                    request.requestId(), upstream.describe());
            failures.add(upstream.describe() + " " + H2UpstreamAdapter.closedWhy(channel, "closed the connection before the response ended"));
            releaseLoad(true);
            phase = Phase.CONNECTING;
            route();
            return;
        }
        failUpstream(H2UpstreamAdapter.closedWhy(channel, "closed the connection before the response ended"));
    }

    private void failUpstream(String what) {
        Channel channel = upstreamChannel;
        if (channel != null) {
            detach(channel);
            channel.close();
        }
        releaseLoad(false);
        LOG.warn("request {}: {} {}", request.requestId(), upstream.describe(), what);
        if (!responseStarted) {
            answer(HttpResponseStatus.BAD_GATEWAY, "upstream " + upstream.describe() + " " + what + http1Hint());
            return;
        }
        // Part of the response is already out: closing is the only way left to tell the user it is cut.
        phase = Phase.CLOSED;
        finish(status);
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    // ---- answers of the proxy itself ----

    /** Answers with an error; keeps the connection when the rest of the request can be read and discarded. */
    private void answer(HttpResponseStatus status, String message) {
        dropUpstream();
        HttpRequest head = request.request();
        boolean drainable = requestReceived || (!HttpUtil.is100ContinueExpected(head) && !HttpUtil.isTransferEncodingChunked(head)
                && HttpUtil.getContentLength(head, 0L) <= MAX_DRAIN_BYTES);
        boolean keepAlive = clientKeepAlive && drainable && !edge.draining().getAsBoolean();
        if (!keepAlive) {
            answerAndClose(status, message);
            return;
        }
        var response = ErrorResponse.of(ctx.alloc(), status, message, request.requestId(), true);
        answered(status, response.content().readableBytes());
        releaseExchangeBuffers();
        if (requestReceived) {
            phase = Phase.ANSWERING;
            ctx.writeAndFlush(response).addListener((ChannelFuture f) -> {
                if (f.isSuccess()) {
                    nextRequest();
                } else {
                    ctx.close();
                }
            });
        } else {
            phase = Phase.DRAINING;
            ctx.writeAndFlush(response);
            readClient();
        }
    }

    private void answerAndClose(HttpResponseStatus status, String message) {
        dropUpstream();
        phase = Phase.CLOSED;
        var response = ErrorResponse.of(ctx.alloc(), status, message, request.requestId(), false);
        answered(status, response.content().readableBytes());
        releaseExchangeBuffers();
        ctx.writeAndFlush(response).addListener(requestReceived ? ChannelFutureListener.CLOSE : LingeringClose.AFTER_WRITE);
    }

    private void answered(HttpResponseStatus answer, long bodyBytes) {
        servedBy = null;
        bytesOut = bodyBytes;
        finish(answer.code());
    }

    /** The exchange is over: read the next request, or close when either side asked for it. */
    private void nextRequest() {
        if (phase == Phase.CLOSED) {
            return;
        }
        releaseExchangeBuffers();
        if (clientKeepAlive && requestReceived && !edge.draining().getAsBoolean()) {
            phase = Phase.IDLE;
            readClient();
        } else {
            phase = Phase.CLOSED;
            if (requestReceived) {
                ctx.close();
            } else {
                // The user may still be sending the body nobody read: a close now would answer it with a reset.
                LingeringClose.start(ctx.channel());
            }
        }
    }

    // ---- bookkeeping ----

    private void responseHeadCame() {
        if (timed && responseNanos < 0) {
            responseNanos = System.nanoTime() - sentNanos;
        }
    }

    /** Records the request once: metrics and the access log line. */
    private void finish(int code) {
        if (finished || request == null) {
            return;
        }
        finished = true;
        long duration = System.nanoTime() - startNanos;
        String appName = app == null ? NO_APP : app.app();
        Upstream served = servedBy;
        edge.metrics().request(appName, served == null ? ProxyMetrics.NO_REGION : served.region(), code, duration);
        AccessLog log = edge.accessLog();
        if (log.enabled()) {
            HttpRequest head = request.request();
            String protocol = ctx.channel() instanceof Http2StreamChannel ? "HTTP/2" : request.clientVersion().text();
            log.log(new AccessLog.Entry(Instant.now(), app == null ? null : app.app(), head.method().name(),
                    new QueryStringDecoder(head.uri()).rawPath(), protocol, code, bytesOut, TimeUnit.NANOSECONDS.toMillis(duration),
                    TimeUnit.NANOSECONDS.toMillis(waitNanos), waitedFor, served == null || connectNanos < 0 ? null : millis(connectNanos),
                    served == null || responseNanos < 0 ? null : millis(responseNanos), attempts,
                    served == null ? null : served.instanceId(), served == null ? null : served.region(), edge.region(),
                    request.requestId(), clientIp(), head.headers().get(HttpHeaderNames.USER_AGENT)));
        }
    }

    private static Long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private String clientIp() {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : null;
    }

    /**
     * The request stops counting against its instance (for {@code requests} apps; a {@code connections}
     * pin stays unless the instance failed), and a waiting request may take the slot.
     */
    private void releaseLoad(boolean failed) {
        if (counted) {
            counted = false;
            upstream.end();
            edge.queues().of(app.app()).capacityFreed();
        }
        if (failed && upstream != null && upstream == pinned) {
            unpin();
        }
    }

    private void unpin() {
        Upstream previous = pinned;
        if (previous != null) {
            pinned = null;
            previous.end();
            edge.queues().of(pinnedApp).capacityFreed();
        }
    }

    private void releaseExchangeBuffers() {
        if (heldContent != null) {
            heldContent.release();
            heldContent = null;
        }
        if (replayBody != null) {
            replayBody.release();
            replayBody = null;
        }
    }

    private void detach(Channel channel) {
        UpstreamHandler.of(channel).listener(null);
        UpstreamCodec codec = UpstreamCodec.of(channel);
        if (codec != null) {
            codec.allowRaw(null);
        }
        if (upstreamChannel == channel) {
            upstreamChannel = null;
            responseDeadline = 0;
        }
        waitingForUpstreamWritable = false;
        waitingForClientWritable = false;
    }

    /** Abandons the upstream side of the exchange: a connection in mid-exchange can never be reused. */
    private void dropUpstream() {
        Channel channel = upstreamChannel;
        if (channel != null) {
            detach(channel);
            channel.close();
        }
        releaseLoad(false);
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
