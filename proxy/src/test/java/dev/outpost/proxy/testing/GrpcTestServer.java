package dev.outpost.proxy.testing;

import dev.outpost.core.api.RoutingTable;
import io.grpc.Attributes;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real gRPC server (grpc-java over its own Netty) with service {@code test.Echo}, described by hand
 * with a UTF-8 string marshaller so no protoc is needed:
 * <ul>
 *   <li>{@link #SAY} (unary): answers {@code hello <request>};</li>
 *   <li>{@link #FAIL} (unary): fails at once with {@code NOT_FOUND "no widget named <request>"} (a
 *       trailers-only response);</li>
 *   <li>{@link #COUNT} (server streaming): {@code "3"} streams 1, 2, 3; {@code "2!"} streams 1, 2 then
 *       fails with {@code NOT_FOUND "stopped after 2"} (status in trailers after messages).</li>
 * </ul>
 * Every response carries {@code x-test-echo} (the request's {@code x-test}) in its headers and
 * {@code x-test-trailer: bye} in its trailers; the last request's metadata is kept.
 */
public final class GrpcTestServer implements AutoCloseable {
    public static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("reading a gRPC message failed", e);
            }
        }
    };
    public static final MethodDescriptor<String, String> SAY = method("Say", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<String, String> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<String, String> COUNT = method("Count", MethodDescriptor.MethodType.SERVER_STREAMING);
    /**
     * A watch: one message ({@code "event"}) after the milliseconds the request names, then the end. grpc-java sends
     * a server stream's headers with its first message, so nothing at all comes before that.
     */
    public static final MethodDescriptor<String, String> WATCH = method("Watch", MethodDescriptor.MethodType.SERVER_STREAMING);
    public static final Metadata.Key<String> X_TEST = Metadata.Key.of("x-test", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> X_TEST_ECHO = Metadata.Key.of("x-test-echo", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> X_TEST_TRAILER = Metadata.Key.of("x-test-trailer", Metadata.ASCII_STRING_MARSHALLER);

    private final String name;
    private final Server server;
    private final AtomicReference<Metadata> lastHeaders = new AtomicReference<>();
    private final AtomicInteger connections = new AtomicInteger();

    public GrpcTestServer(String name) throws IOException {
        this.name = name;
        ServerServiceDefinition service = ServerServiceDefinition.builder("test.Echo")
                .addMethod(SAY, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext("hello " + request);
                    response.onCompleted();
                }))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((request, response) ->
                        response.onError(Status.NOT_FOUND.withDescription("no widget named " + request).asRuntimeException())))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((request, response) -> {
                    boolean fail = request.endsWith("!");
                    int n = Integer.parseInt(fail ? request.substring(0, request.length() - 1) : request);
                    for (int i = 1; i <= n; i++) {
                        response.onNext(Integer.toString(i));
                    }
                    if (fail) {
                        response.onError(Status.NOT_FOUND.withDescription("stopped after " + n).asRuntimeException());
                    } else {
                        response.onCompleted();
                    }
                }))
                .addMethod(WATCH, ServerCalls.asyncServerStreamingCall((request, response) ->
                        CompletableFuture.delayedExecutor(Long.parseLong(request), TimeUnit.MILLISECONDS).execute(() -> {
                            response.onNext("event");
                            response.onCompleted();
                        })))
                .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(service, new Echoing()))
                .addTransportFilter(new ServerTransportFilter() {
                    @Override
                    public Attributes transportReady(Attributes transportAttrs) {
                        connections.incrementAndGet();
                        return transportAttrs;
                    }
                })
                .build()
                .start();
    }

    public RoutingTable.Target target() {
        return new RoutingTable.Target(name, "iad", "127.0.0.1", server.getPort(), 1);
    }

    /** HTTP/2 connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** The metadata (request headers) of the last call. */
    public Metadata lastHeaders() {
        return lastHeaders.get();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Echo", name))
                .setRequestMarshaller(UTF8)
                .setResponseMarshaller(UTF8)
                .build();
    }

    private final class Echoing implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            lastHeaders.set(headers);
            String test = headers.get(X_TEST);
            return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                @Override
                public void sendHeaders(Metadata responseHeaders) {
                    if (test != null) {
                        responseHeaders.put(X_TEST_ECHO, test);
                    }
                    super.sendHeaders(responseHeaders);
                }

                @Override
                public void close(Status status, Metadata trailers) {
                    trailers.put(X_TEST_TRAILER, "bye");
                    super.close(status, trailers);
                }
            }, headers);
        }
    }
}
