package dev.outpost.proxy.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client that writes frames as bytes, so a test can send what no well-behaved client library
 * would: floods of resets, empty frames, CONTINUATIONs, a header block that decompresses past a limit.
 * It answers the server's SETTINGS with an ACK and records every frame it reads, with the status of
 * each response head and the error code of a GOAWAY.
 */
public final class RawH2 implements AutoCloseable {
    public static final int DATA = 0;
    public static final int HEADERS = 1;
    public static final int RST_STREAM = 3;
    public static final int SETTINGS = 4;
    public static final int PING = 6;
    public static final int GOAWAY = 7;
    public static final int WINDOW_UPDATE = 8;
    public static final int CONTINUATION = 9;
    public static final int END_STREAM = 0x1;
    public static final int END_HEADERS = 0x4;

    /** A frame the server sent; {@code status} for a response head, {@code code} for RST_STREAM and GOAWAY, else 0. */
    public record Frame(int type, int stream, int status, long code, String text) {}

    private final Socket socket;
    private final OutputStream out;
    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
    private final List<Frame> frames = new CopyOnWriteArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean reading;

    /** Connects, sends the preface and an empty SETTINGS; {@link #startReading()} starts taking what the server sends. */
    public RawH2(InetSocketAddress address) throws IOException {
        socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
        out = socket.getOutputStream();
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(SETTINGS, 0, 0, new byte[0]);
    }

    /** Reads the server's frames on a thread of its own until the connection ends. */
    public RawH2 startReading() {
        if (!reading) {
            reading = true;
            Thread reader = new Thread(this::read, "raw-h2-reader");
            reader.setDaemon(true);
            reader.start();
        }
        return this;
    }

    /** Writes one frame. */
    public synchronized void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] bytes = new byte[9 + payload.length];
        bytes[0] = (byte) (payload.length >>> 16);
        bytes[1] = (byte) (payload.length >>> 8);
        bytes[2] = (byte) payload.length;
        bytes[3] = (byte) type;
        bytes[4] = (byte) flags;
        ByteBuffer.wrap(bytes, 5, 4).putInt(stream);
        System.arraycopy(payload, 0, bytes, 9, payload.length);
        out.write(bytes);
    }

    /** A whole request head on {@code stream}, in one HEADERS frame. */
    public void headers(int stream, Http2Headers headers, boolean endStream) throws IOException {
        frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, hpack(headers));
    }

    public void reset(int stream, int code) throws IOException {
        frame(RST_STREAM, 0, stream, ByteBuffer.allocate(4).putInt(code).array());
    }

    /** {@code headers} as this connection's HPACK encoder puts them (it keeps a dynamic table, as the server's decoder does). */
    public synchronized byte[] hpack(Http2Headers headers) {
        ByteBuf buf = Unpooled.buffer();
        try {
            encoder.encodeHeaders(0, headers, buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } catch (Http2Exception e) {
            throw new IllegalArgumentException(e);
        } finally {
            buf.release();
        }
    }

    /** True once the connection ended within {@code timeout}: the server closed it, or reset it. */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The frames read so far. */
    public List<Frame> frames() {
        return List.copyOf(frames);
    }

    /** The server's GOAWAY, or null. */
    public Frame goaway() {
        return frames.stream().filter(f -> f.type() == GOAWAY).findFirst().orElse(null);
    }

    /** Makes {@link #close()} a TCP reset (SO_LINGER 0), as from a phone that lost its network. */
    public void resetOnClose() throws IOException {
        socket.setSoLinger(true, 0);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void read() {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = new byte[length];
                in.readFully(payload);
                frames.add(switch (type) {
                    case HEADERS -> new Frame(type, stream, status(flags, payload, stream), 0, "");
                    case RST_STREAM -> new Frame(type, stream, 0, ByteBuffer.wrap(payload).getInt() & 0xffffffffL, "");
                    case GOAWAY -> new Frame(type, stream, 0, ByteBuffer.wrap(payload, 4, 4).getInt() & 0xffffffffL,
                            new String(payload, 8, length - 8, StandardCharsets.UTF_8));
                    case DATA -> new Frame(type, stream, 0, 0, new String(payload, StandardCharsets.UTF_8));
                    default -> new Frame(type, stream, 0, 0, "");
                });
                if (type == SETTINGS && (flags & 0x1) == 0) {
                    frame(SETTINGS, 0x1, 0, new byte[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // EOF or a reset: the connection ended.
        } finally {
            ended.countDown();
        }
    }

    private int status(int flags, byte[] payload, int stream) throws IOException {
        ByteBuf block = Unpooled.wrappedBuffer(payload);
        int padding = (flags & 0x8) != 0 ? block.readUnsignedByte() : 0;
        if ((flags & 0x20) != 0) {
            block.skipBytes(5);
        }
        try {
            CharSequence status = decoder.decodeHeaders(stream, block.slice(block.readerIndex(), block.readableBytes() - padding)).status();
            return status == null ? 0 : Integer.parseInt(status.toString());
        } catch (Http2Exception e) {
            throw new IOException(e);
        }
    }
}
