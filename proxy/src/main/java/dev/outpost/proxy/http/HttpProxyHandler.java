package dev.outpost.proxy.http;

import dev.outpost.core.Durations;
import dev.outpost.proxy.routing.AppHost;
import dev.outpost.proxy.routing.Balancer;
import dev.outpost.proxy.routing.RoutingTable;
import dev.outpost.proxy.routing.Upstream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxies the requests of one user connection, one at a time (HTTP/1.1 keep-alive; pipelined
 * requests wait in the {@code FlowControlHandler} in front of it). For each request it finds the
 * app by {@code Host}, picks an instance, takes a pooled connection or opens one on this
 * connection's event loop, and streams the request body up and the response down.
 *
 * <p>Backpressure both ways: the user connection is read one message per {@code read()} and only
 * while the upstream connection is writable; the upstream connection is read one socket read at a
 * time and only while the user connection is writable. Nothing buffers a whole body.
 *
 * <p>A connect failure (nothing written yet) ejects the instance for {@link #EJECT_FOR} and is
 * retried once on another instance. A reused pooled connection that the instance had closed is
 * retried once on a fresh connection when the request is idempotent and has no body.
 */
public final class HttpProxyHandler extends ChannelInboundHandlerAdapter implements UpstreamHandler.Listener {
    /** How long an instance that refused a connection is avoided (passive health). */
    public static final Duration EJECT_FOR = Duration.ofSeconds(5);
    /** Instances tried per request: the first choice and one retry. */
    static final int MAX_CONNECT_ATTEMPTS = 2;
    /** Largest unread request body discarded to keep a connection alive after an error answer. */
    static final long MAX_DRAIN_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(HttpProxyHandler.class);
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(
            HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);

    /**
     * Where the connection is. IDLE → CONNECTING (routed) | ANSWERING (error, no body left) |
     * DRAINING (error, body to discard) | CLOSED; CONNECTING → STREAMING | CONNECTING (retry) |
     * ANSWERING | DRAINING | CLOSED; STREAMING → IDLE (keep-alive) | CONNECTING (stale retry) |
     * ANSWERING | DRAINING | CLOSED; ANSWERING, DRAINING → IDLE | CLOSED.
     */
    private enum Phase { IDLE, CONNECTING, STREAMING, ANSWERING, DRAINING, CLOSED }

    private final Supplier<RoutingTable> routes;
    private final Balancer balancer;
    private final UpstreamPool pool;
    private final BooleanSupplier draining;

    private ChannelHandlerContext ctx;
    private Phase phase = Phase.IDLE;

    // The exchange in progress; reset for every request.
    private ForwardedRequest request;
    private RoutingTable.AppRoutes app;
    private boolean hasBody;
    private boolean clientKeepAlive;
    private boolean requestReceived;
    private boolean requestSent;
    private Upstream upstream;
    private boolean counted;
    private Channel upstreamChannel;
    private boolean reused;
    private boolean staleRetried;
    private final Set<Upstream> tried = new HashSet<>();
    private final List<String> failures = new ArrayList<>();
    private boolean waitingForUpstreamWritable;
    private boolean waitingForClientWritable;
    private boolean responseStarted;
    private boolean interim;
    private boolean upstreamKeepAlive;
    private boolean awaitingClientMessage;

    /**
     * @param routes   the current routing snapshot, read once per request
     * @param draining true once the proxy is shutting down: answers then close their connection
     */
    public HttpProxyHandler(Supplier<RoutingTable> routes, Balancer balancer, UpstreamPool pool, BooleanSupplier draining) {
        this.routes = routes;
        this.balancer = balancer;
        this.pool = pool;
        this.draining = draining;
    }

    /** Closes the connection if no request is in progress; else it closes after the current response. Event loop only. */
    public void drain() {
        if (phase == Phase.IDLE) {
            phase = Phase.CLOSED;
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
            upstreamChannel.read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // Only a connection between requests times out; a slow response is the app's business.
            drain();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        phase = Phase.CLOSED;
        dropUpstream();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("user connection {} failed, closing it", ctx.channel(), cause);
        phase = Phase.CLOSED;
        ctx.close();
    }

    // ---- the request ----

    private void onRequest(ForwardedRequest forwarded) {
        if (phase != Phase.IDLE) {
            LOG.warn("request {} arrived while the previous one is {}; closing {}", forwarded.requestId(), phase, ctx.channel());
            phase = Phase.CLOSED;
            ctx.close();
            return;
        }
        startExchange(forwarded);
        HttpRequest head = forwarded.request();
        if (head.decoderResult().isFailure()) {
            answerAndClose(HttpResponseStatus.BAD_REQUEST, "malformed request: " + head.decoderResult().cause().getMessage());
            return;
        }
        String hostHeader = head.headers().get(HttpHeaderNames.HOST);
        if (hostHeader == null || hostHeader.isBlank()) {
            answerAndClose(HttpResponseStatus.BAD_REQUEST, "malformed request: no Host header");
            return;
        }
        AppHost host = AppHost.parse(hostHeader);
        Optional<RoutingTable.AppRoutes> found = host.app().flatMap(name -> routes.get().app(name));
        if (found.isEmpty()) {
            answer(HttpResponseStatus.NOT_FOUND, "no app is deployed at " + host.host());
            return;
        }
        app = found.get();
        if (app.isEmpty()) {
            answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "app " + app.app() + " has no healthy instance in any region");
            return;
        }
        phase = Phase.CONNECTING;
        connectNext();
    }

    private void startExchange(ForwardedRequest forwarded) {
        request = forwarded;
        HttpRequest head = forwarded.request();
        // A head that failed to decode may carry an unreadable Content-Length; it is answered 400 and closed anyway.
        hasBody = head.decoderResult().isSuccess()
                && (HttpUtil.isTransferEncodingChunked(head) || HttpUtil.getContentLength(head, 0L) > 0);
        clientKeepAlive = forwarded.keepAlive() && !draining.getAsBoolean();
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
        interim = false;
        upstreamKeepAlive = false;
    }

    private void onRequestContent(HttpContent content) {
        if (content.decoderResult().isFailure() && phase != Phase.CLOSED) {
            // A broken chunk must not reach the instance as the end of a shorter body.
            String cause = content.decoderResult().cause().getMessage();
            content.release();
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
        if (phase == Phase.STREAMING && upstreamChannel != null) {
            Channel channel = upstreamChannel;
            channel.writeAndFlush(content).addListener((ChannelFuture f) -> {
                if (f.isSuccess() && last && channel == upstreamChannel) {
                    requestSent = true;
                } else if (!f.isSuccess()) {
                    // The instance went away mid-request; channelInactive of the upstream answers the user.
                    channel.close();
                }
            });
            if (!last) {
                readClientWhenUpstreamWritable();
            }
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

    // ---- choosing and connecting to an instance ----

    private void connectNext() {
        Optional<Upstream> next = tried.size() < MAX_CONNECT_ATTEMPTS ? balancer.pick(app, tried) : Optional.empty();
        if (next.isEmpty()) {
            answer(HttpResponseStatus.BAD_GATEWAY, "upstream " + String.join("; ", failures));
            return;
        }
        Upstream chosen = next.get();
        tried.add(chosen);
        begin(chosen);
        Channel pooled = pool.poll(chosen);
        if (pooled != null) {
            attach(pooled, true);
        } else {
            connectFresh(chosen);
        }
    }

    private void connectFresh(Upstream chosen) {
        pool.connect(chosen, ctx.channel().eventLoop()).addListener((ChannelFuture f) -> {
            if (phase != Phase.CONNECTING || upstream != chosen) {
                // The user left (or the exchange moved on) while connecting; the fresh connection is still good.
                if (f.isSuccess()) {
                    pool.release(chosen, f.channel());
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

    private void connectFailed(Upstream failed, Throwable cause) {
        failed.eject(EJECT_FOR);
        end();
        failures.add(failed.describe() + " failed: " + describe(cause));
        LOG.warn("request {}: connecting to {} failed ({}); it is ejected for {}", request.requestId(), failed.describe(),
                describe(cause), Durations.format(EJECT_FOR));
        connectNext();
    }

    private void attach(Channel channel, boolean pooled) {
        upstreamChannel = channel;
        reused = pooled;
        UpstreamHandler.of(channel).listener(this);
        phase = Phase.STREAMING;
        channel.writeAndFlush(request.request()).addListener((ChannelFuture f) -> {
            if (channel != upstreamChannel) {
                return;
            }
            if (f.isSuccess()) {
                if (!requestReceived) {
                    readClientWhenUpstreamWritable();
                }
            } else {
                headNotWritten(channel, f.cause());
            }
        });
        channel.read();
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
    public void onUpstreamMessage(HttpObject message) {
        if (phase != Phase.STREAMING) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message instanceof HttpResponse response) {
            onResponseHead(response);
        }
        if (message instanceof HttpContent content) {
            onResponseContent(content);
        }
    }

    private void onResponseHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            failUpstream("sent a malformed response (" + response.decoderResult().cause().getMessage() + ")");
            return;
        }
        // Read before the Connection header goes with the other hop-by-hop headers.
        boolean keepAlive = HttpUtil.isKeepAlive(response);
        HopByHopHeaders.strip(response.headers());
        response.headers().set(ErrorResponse.REQUEST_ID, request.requestId());
        int code = response.status().code();
        if (code >= 100 && code < 200) {
            // 100 Continue and friends: pass on, the final response follows.
            interim = true;
            ctx.write(response);
            return;
        }
        responseStarted = true;
        upstreamKeepAlive = keepAlive;
        frame(response);
        ctx.write(response);
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

    private void onResponseContent(HttpContent content) {
        if (!(content instanceof LastHttpContent)) {
            ctx.write(content);
            return;
        }
        if (interim) {
            interim = false;
            ctx.write(content);
            return;
        }
        Channel channel = upstreamChannel;
        detach(channel);
        if (upstreamKeepAlive && requestSent && channel.isActive()) {
            pool.release(upstream, channel);
        } else {
            channel.close();
        }
        end();
        ctx.writeAndFlush(content).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                LOG.debug("request {}: the user left before the response was written", request.requestId(), f.cause());
                phase = Phase.CLOSED;
                ctx.close();
                return;
            }
            nextRequest();
        });
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
        if (!responseStarted && reused && !staleRetried && !hasBody && IDEMPOTENT.contains(request.request().method())) {
            // A pooled connection the instance had just closed: the usual keep-alive race, safe to repeat.
            LOG.debug("request {}: pooled connection to {} was closed by the instance; retrying on a new one",
                    request.requestId(), upstream.describe());
            staleRetried = true;
            phase = Phase.CONNECTING;
            connectFresh(upstream);
            return;
        }
        failUpstream("closed the connection before the response ended");
    }

    private void failUpstream(String what) {
        Channel channel = upstreamChannel;
        if (channel != null) {
            detach(channel);
            channel.close();
        }
        end();
        LOG.warn("request {}: {} {}", request.requestId(), upstream.describe(), what);
        if (!responseStarted) {
            answer(HttpResponseStatus.BAD_GATEWAY, "upstream " + upstream.describe() + " " + what);
            return;
        }
        // Part of the response is already out: closing is the only way left to tell the user it is cut.
        phase = Phase.CLOSED;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    // ---- answers of the proxy itself ----

    /** Answers with an error; keeps the connection when the rest of the request can be read and discarded. */
    private void answer(HttpResponseStatus status, String message) {
        dropUpstream();
        HttpRequest head = request.request();
        boolean drainable = requestReceived || (!HttpUtil.is100ContinueExpected(head) && !HttpUtil.isTransferEncodingChunked(head)
                && HttpUtil.getContentLength(head, 0L) <= MAX_DRAIN_BYTES);
        boolean keepAlive = clientKeepAlive && drainable && !draining.getAsBoolean();
        if (!keepAlive) {
            answerAndClose(status, message);
            return;
        }
        var response = ErrorResponse.of(ctx.alloc(), status, message, request.requestId(), true);
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
        ctx.writeAndFlush(ErrorResponse.of(ctx.alloc(), status, message, request.requestId(), false))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** The exchange is over: read the next request, or close when either side asked for it. */
    private void nextRequest() {
        if (phase == Phase.CLOSED) {
            return;
        }
        if (clientKeepAlive && requestReceived && !draining.getAsBoolean()) {
            phase = Phase.IDLE;
            readClient();
        } else {
            phase = Phase.CLOSED;
            ctx.close();
        }
    }

    // ---- bookkeeping ----

    private void begin(Upstream chosen) {
        upstream = chosen;
        chosen.begin();
        counted = true;
    }

    private void end() {
        if (counted) {
            counted = false;
            upstream.end();
        }
    }

    private void detach(Channel channel) {
        UpstreamHandler.of(channel).listener(null);
        if (upstreamChannel == channel) {
            upstreamChannel = null;
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
        end();
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
