package io.github.upgrade4j.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.upgrade4j.examples.proxy.attacks.Leaks;
import io.github.upgrade4j.examples.proxy.attacks.Leaks;
import io.github.upgrade4j.http.Http1Parser;
import io.github.upgrade4j.http.ParseResult;
import io.github.upgrade4j.http.RequestHead;
import io.github.upgrade4j.http.ResponseHead;
import io.github.upgrade4j.tunnel.RelayStats;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Soak of the example proxy on real sockets: many concurrent WebSocket tunnels to an upstream written
 * here, each carrying random-sized random bytes both ways and ending in one of four ways the test
 * chooses (the client half-closes first, the upstream half-closes first, the client resets, the
 * upstream resets), with bytes sometimes sent together with the heads. Every byte is checked where it
 * arrives, against the stream its sender generated, and each complete stream's SHA-256 is compared at
 * both ends. Then:
 * <ul>
 *   <li>nothing is lost, duplicated or reordered, a half-close arrives after exactly the bytes sent
 *       before it, and a reset arrives as a reset, never as a clean end of stream;
 *   <li>the proxy logged one outcome per tunnel, naming what the test did, with byte counts that match
 *       what the ends sent and received;
 *   <li>the relay has every buffer back; and, once the proxy is closed, the process has no more open
 *       descriptors than before and no thread that was not there before.
 * </ul>
 *
 * <p>One thread drives every client and upstream end with a selector, so thousands of tunnels cost
 * the test no threads. The short version (500 tunnels at once, up to 1 MiB each way) runs in
 * {@code ./mvnw verify}; the {@code soak-long} profile sets {@code soak.tunnels} (tunnels kept open at
 * once), {@code soak.seconds} (replace each finished tunnel until then), {@code soak.maxPayload} and
 * {@code soak.seed}, and prints the figures.
 */
class SoakIT {
    private static final Pattern OUTCOME = Pattern.compile(
            "GET /soak/(\\d+) tunnel closed: (\\w+), (\\d+) B up, (\\d+) B down");
    private static final String ACCEPT_FOR_KEY = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    private static final int CHUNK = 16 * 1024;

    /** How a tunnel ends, chosen by the test; the names are the relay's close reasons. */
    enum Ending {
        CLIENT_FIN_FIRST,
        UPSTREAM_FIN_FIRST,
        CLIENT_RESET,
        UPSTREAM_RESET
    }

    /**
     * One tunnel's script.
     *
     * @param up client-to-upstream payload bytes; {@code down} the other way
     * @param resetAfter for a reset ending, the payload bytes the resetting side sends before it resets
     * @param beforeFin for a FIN ending, the payload bytes the side that finishes second sends before it
     *     has seen the other side's FIN; the rest flows through the half-closed tunnel
     * @param clientEarly payload bytes the client sends in the same write as its request head
     * @param upstreamEarly payload bytes the upstream sends in the same write as its 101
     */
    record Plan(int id, long seed, long up, long down, Ending ending, long resetAfter, long beforeFin,
            long clientEarly, long upstreamEarly) {
        static Plan random(int id, long seed, int maxPayload) {
            SplittableRandom r = new SplittableRandom(seed);
            long up = size(r, maxPayload);
            long down = size(r, maxPayload);
            int pick = r.nextInt(100); // 30 % each half-close order, 20 % each reset
            Ending ending = pick < 30 ? Ending.CLIENT_FIN_FIRST : pick < 60 ? Ending.UPSTREAM_FIN_FIRST
                    : pick < 80 ? Ending.CLIENT_RESET : Ending.UPSTREAM_RESET;
            long resetting = ending == Ending.CLIENT_RESET ? up : ending == Ending.UPSTREAM_RESET ? down : 0;
            long resetAfter = resetting == 0 ? 0 : r.nextLong(resetting + 1);
            long second = ending == Ending.CLIENT_FIN_FIRST ? down : ending == Ending.UPSTREAM_FIN_FIRST ? up : 0;
            long beforeFin = second == 0 ? 0 : r.nextLong(second + 1);
            long clientEarly = r.nextBoolean() ? Math.min(r.nextInt(4096), ending == Ending.CLIENT_RESET ? resetAfter : up) : 0;
            long upstreamEarly = r.nextBoolean()
                    ? Math.min(r.nextInt(4096), ending == Ending.UPSTREAM_RESET ? resetAfter : down) : 0;
            if (ending == Ending.UPSTREAM_FIN_FIRST) {
                clientEarly = Math.min(clientEarly, beforeFin);
            } else if (ending == Ending.CLIENT_FIN_FIRST) {
                upstreamEarly = Math.min(upstreamEarly, beforeFin);
            }
            return new Plan(id, r.nextLong(), up, down, ending, resetAfter, beforeFin, clientEarly, upstreamEarly);
        }

        /** 15 % empty, 25 % up to the maximum, the rest up to 16 KiB. */
        private static long size(SplittableRandom r, int maxPayload) {
            int kind = r.nextInt(20);
            return kind < 3 ? 0 : kind < 8 ? r.nextInt(maxPayload + 1) : 1 + r.nextInt(16 * 1024);
        }
    }

    @Test
    void concurrentTunnelsWithRandomPayloadsHalfClosesAndResetsLoseNothingAndLeaveNothingBehind() throws Exception {
        int tunnels = Integer.getInteger("soak.tunnels", 500);
        long seconds = Long.getLong("soak.seconds", 0);
        int maxPayload = Integer.getInteger("soak.maxPayload", 1024 * 1024);
        long seed = Long.getLong("soak.seed", 20261125L);

        new Soak(16, 0, 64 * 1024, seed + 1).run(); // warm-up: classes loaded, lazily opened files open
        Leaks leaks = Leaks.snapshot();
        long heapBefore = heapAfterGc();
        Soak soak = new Soak(tunnels, seconds, maxPayload, seed);
        soak.run();
        leaks.assertReleased();
        System.out.println(soak.figures(leaks) + String.format("; heap after GC %,d KiB before, %,d KiB after",
                heapBefore >> 10, heapAfterGc() >> 10));
    }

    /** One soak run: its own upstream, proxy and driver; {@link #run()} verifies everything and closes all. */
    static final class Soak {
        private final int concurrency;
        private final long seconds;
        private final int maxPayload;
        private final long seed;
        private final SoakLog log = new SoakLog();
        private final Map<Integer, Tun> byId = new ConcurrentHashMap<>();
        /** What is kept of each finished tunnel to check its logged outcome; the rest is dropped at once. */
        private final List<Finished> finished = new ArrayList<>();
        private final EnumMap<Ending, Integer> endings = new EnumMap<>(Ending.class);
        private Selector selector;
        /** Ends to step after this round of events: something they wait for may have happened. */
        private final java.util.Set<End> pokes = new java.util.LinkedHashSet<>();
        private InetSocketAddress proxyAddress;
        private int started;
        private int live;
        private int handshaking;
        private int established;
        private int peakLive;
        private boolean barrierOpen;
        private long bytesUp;
        private long bytesDown;
        private long peakDescriptors;
        private int peakBorrowed;
        private long peakPooled;
        private long elapsedMillis;

        Soak(int concurrency, long seconds, int maxPayload, long seed) {
            this.concurrency = concurrency;
            this.seconds = seconds;
            this.maxPayload = maxPayload;
            this.seed = seed;
        }

        void run() throws Exception {
            long start = System.nanoTime();
            long deadline = seconds > 0 ? start + TimeUnit.SECONDS.toNanos(seconds) : start;
            try (Selector sel = Selector.open(); ServerSocketChannel upstream = ServerSocketChannel.open()) {
                selector = sel;
                upstream.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
                upstream.configureBlocking(false);
                upstream.register(selector, SelectionKey.OP_ACCEPT);
                ReverseProxy proxy = ReverseProxy.start(new ReverseProxy.Config(
                        new InetSocketAddress("127.0.0.1", 0), (InetSocketAddress) upstream.getLocalAddress(),
                        Duration.ofSeconds(60), concurrency * 2 + 16, Duration.ofSeconds(10)), log.stream());
                try {
                    proxyAddress = proxy.address();
                    drive(upstream, deadline, proxy);
                    log.awaitOutcomes(started);
                    verifyOutcomes();
                    finished.clear(); // checked: drop the records, so the heap figure is the proxy's, not ours
                    log.outcomes.clear();
                    RelayStats stats = proxy.relay().stats();
                    assertEquals(0, stats.activeTunnels(), stats::toString);
                    assertEquals(0, stats.buffersBorrowed(), () -> "buffers not returned: " + stats);
                    assertTrue(stats.pooledBytes() <= stats.budgetBytes(), stats::toString);
                } finally {
                    proxy.close();
                    for (Tun tun : byId.values()) {
                        tun.client.close();
                        tun.upstream.close();
                    }
                }
            }
            elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }

        /** Runs every tunnel to its end: one selector for all client and upstream ends. */
        private void drive(ServerSocketChannel upstream, long deadline, ReverseProxy proxy) throws IOException {
            long lastProgress = System.nanoTime();
            long progressMark = -1;
            long nextSample = 0;
            startTunnels(deadline);
            while (live > 0) {
                selector.select(20);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.channel() == upstream) {
                        acceptUpstreams(upstream);
                    } else if (key.attachment() instanceof PendingUpstream pending) {
                        pending.ready(key);
                    } else {
                        ((End) key.attachment()).ready(key);
                    }
                }
                selector.selectedKeys().clear();
                while (!pokes.isEmpty()) {
                    List<End> now = new ArrayList<>(pokes);
                    pokes.clear();
                    now.forEach(End::step);
                }
                startTunnels(deadline);
                long now = System.nanoTime();
                long progress = bytesUp + bytesDown + finished.size();
                if (progress != progressMark) {
                    progressMark = progress;
                    lastProgress = now;
                } else if (now - lastProgress > TimeUnit.SECONDS.toNanos(30)) {
                    fail("no byte moved for 30 s; stuck tunnels: " + stuck());
                }
                if (now - nextSample > 0) {
                    nextSample = now + TimeUnit.MILLISECONDS.toNanos(20);
                    sample(proxy);
                }
            }
        }

        private void sample(ReverseProxy proxy) {
            peakDescriptors = Math.max(peakDescriptors, Leaks.openDescriptors());
            RelayStats stats = proxy.relay().stats();
            peakBorrowed = Math.max(peakBorrowed, stats.buffersBorrowed());
            peakPooled = Math.max(peakPooled, stats.pooledBytes());
        }

        private String stuck() {
            StringBuilder out = new StringBuilder();
            byId.values().stream().filter(t -> !t.done()).limit(10).forEach(t -> out.append("\n  ").append(t));
            return out.toString();
        }

        /** Opens tunnels up to the concurrency, at most 64 handshakes at a time; after the deadline, none. */
        private void startTunnels(long deadline) throws IOException {
            boolean firstWave = started < concurrency;
            while (handshaking < 64 && live < concurrency && (firstWave ? started < concurrency
                    : System.nanoTime() - deadline < 0)) {
                Plan plan = Plan.random(started, seed * 1_000_003L + started, maxPayload);
                Tun tun = new Tun(plan);
                byId.put(plan.id(), tun);
                started++;
                live++;
                handshaking++;
                peakLive = Math.max(peakLive, live);
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.connect(proxyAddress);
                tun.client.attach(channel, SelectionKey.OP_CONNECT);
                firstWave = started < concurrency;
            }
        }

        private void acceptUpstreams(ServerSocketChannel server) throws IOException {
            for (SocketChannel channel; (channel = server.accept()) != null; ) {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                new PendingUpstream(channel).attach();
            }
        }

        /** Called when a tunnel's client has its 101: the first wave starts moving bytes once all are open. */
        void established() {
            handshaking--;
            established++;
            if (!barrierOpen && established >= concurrency) {
                barrierOpen = true;
                for (Tun tun : byId.values()) {
                    pokes.add(tun.client);
                    pokes.add(tun.upstream);
                }
            }
        }

        void completed(Tun tun) {
            live--;
            byId.remove(tun.plan.id());
            finished.add(new Finished(tun.plan, tun.client.headLength, tun.client.sent, tun.client.received,
                    tun.upstream.sent, tun.upstream.received));
            endings.merge(tun.plan.ending(), 1, Integer::sum);
            bytesUp += tun.upstream.received;
            bytesDown += tun.client.received;
            tun.verifyEnds();
        }

        private void verifyOutcomes() {
            assertEquals(started, finished.size(), "tunnels finished");
            assertTrue(peakLive >= Math.min(concurrency, started), () -> "only " + peakLive + " tunnels were open at once");
            assertEquals(List.of(), log.unexpected(), "log lines other than switches and outcomes");
            assertEquals(started, log.switches.get(), "tunnels switched");
            List<String> wrong = new ArrayList<>();
            for (Finished tun : finished) {
                String outcome = log.outcomes.get(tun.plan().id());
                String problem = tun.checkOutcome(outcome);
                if (problem != null) {
                    wrong.add(tun + ": " + problem + " (logged: " + outcome + ")");
                }
            }
            assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())),
                    () -> wrong.size() + " tunnels with a wrong outcome");
        }

        String figures(Leaks leaks) {
            return String.format("soak: %,d tunnels (%,d at once) in %,d ms; endings %s; %,d B up, %,d B down;"
                    + " peak %,d descriptors (baseline %,d), %,d relay buffers borrowed, %,d B pooled",
                    started, peakLive, elapsedMillis, endings, bytesUp, bytesDown, peakDescriptors, leaks.descriptors(),
                    peakBorrowed, peakPooled);
        }

        /**
         * A finished tunnel: its plan and what its ends sent and received (payload bytes; the client's
         * {@code headLength} is the 101 as the proxy wrote it).
         */
        record Finished(Plan plan, int headLength, long clientSent, long clientReceived, long upstreamSent,
                long upstreamReceived) {
            /** Null when the logged outcome matches what the test did, else what is wrong. */
            String checkOutcome(String logged) {
                if (logged == null) {
                    return "no outcome logged";
                }
                String[] parts = logged.split(",");
                String reason = parts[0];
                long up = Long.parseLong(parts[1]);
                long down = Long.parseLong(parts[2]);
                if (!reason.equals(plan.ending().name())) {
                    return "ended " + reason;
                }
                if (plan.ending() == Ending.CLIENT_FIN_FIRST || plan.ending() == Ending.UPSTREAM_FIN_FIRST) {
                    return up == plan.up() && down == headLength + plan.down() ? null : "byte counts differ";
                }
                // After a reset, the relay counts what it wrote: at least what arrived, at most what was sent.
                boolean upOk = up >= upstreamReceived && up <= clientSent;
                boolean downOk = down >= headLength + clientReceived && down <= headLength + upstreamSent;
                return upOk && downOk ? null : "byte counts out of range";
            }
        }

        /** An accepted upstream connection until its request head says which tunnel it belongs to. */
        final class PendingUpstream {
            final SocketChannel channel;
            final Http1Parser<RequestHead> parser = Http1Parser.forRequests();
            ByteBuffer in = ByteBuffer.allocate(8192);

            PendingUpstream(SocketChannel channel) {
                this.channel = channel;
            }

            void attach() throws IOException {
                channel.register(selector, SelectionKey.OP_READ, this);
            }

            /** Reads the request head; once complete, the connection becomes its tunnel's upstream end. */
            void ready(SelectionKey key) {
                try {
                    if (in.remaining() == 0) {
                        in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
                    }
                    if (channel.read(in) < 0) {
                        fail("the proxy closed an upstream connection before its request head");
                    }
                    in.flip();
                    ParseResult<RequestHead> result = parser.parse(in);
                    if (result instanceof ParseResult.NeedMore) {
                        in.clear();
                        return;
                    }
                    if (!(result instanceof ParseResult.Complete<RequestHead> complete)) {
                        fail("the proxy sent an upstream head that does not parse: " + result);
                        return;
                    }
                    String target = complete.head().target();
                    Tun tun = byId.get(Integer.parseInt(target.substring("/soak/".length())));
                    End end = tun.upstream;
                    end.channel = channel;
                    end.key = key;
                    key.attach(end);
                    end.consume(in);
                    end.queue(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: " + ACCEPT_FOR_KEY + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
                            tun.plan.upstreamEarly());
                    pokes.add(end);
                } catch (IOException e) {
                    fail("an upstream connection failed before its request head: " + e);
                }
            }
        }

        /** One tunnel: its plan and its two ends. */
        final class Tun {
            final Plan plan;
            final End client;
            final End upstream;
            boolean recorded;

            Tun(Plan plan) {
                this.plan = plan;
                this.client = new End(this, true);
                this.upstream = new End(this, false);
            }

            boolean done() {
                return client.done && upstream.done;
            }

            void checkDone() {
                if (!recorded && done()) {
                    recorded = true;
                    completed(this);
                }
            }

            /** What each end saw, against the plan. */
            void verifyEnds() {
                for (End end : new End[] {client, upstream}) {
                    if (end.failure != null) {
                        fail(this + ": " + end.failure);
                    }
                }
                switch (plan.ending()) {
                    case CLIENT_FIN_FIRST, UPSTREAM_FIN_FIRST -> {
                        assertEquals(plan.down(), client.received, () -> this + ": bytes down");
                        assertEquals(plan.up(), upstream.received, () -> this + ": bytes up");
                        assertTrue(MessageDigest.isEqual(upstream.sentDigest.digest(), client.receivedDigest.digest()),
                                () -> this + ": SHA-256 down");
                        assertTrue(MessageDigest.isEqual(client.sentDigest.digest(), upstream.receivedDigest.digest()),
                                () -> this + ": SHA-256 up");
                    }
                    case CLIENT_RESET -> assertTrue(upstream.sawReset, () -> this + ": the upstream saw no reset");
                    case UPSTREAM_RESET -> assertTrue(client.sawReset, () -> this + ": the client saw no reset");
                    default -> fail("unknown ending");
                }
            }

            @Override
            public String toString() {
                return "tunnel " + plan + " client[" + client + "] upstream[" + upstream + "]";
            }
        }

        /**
         * One end of a tunnel, client or upstream: it sends its planned stream, reads and checks the
         * other's, and half-closes or resets as planned.
         */
        final class End {
            final Tun tun;
            final boolean isClient;
            final long total;
            final Bytes out;
            final Bytes expected;
            final MessageDigest sentDigest = sha256();
            final MessageDigest receivedDigest = sha256();
            SocketChannel channel;
            SelectionKey key;
            ByteBuffer pending;
            long sent;
            long received;
            boolean finSent;
            boolean eof;
            boolean sawReset;
            boolean resetDone;
            boolean done;
            int headLength;
            boolean switched;
            Http1Parser<ResponseHead> parser;
            String failure;

            /** A broken promise: fails the soak at once, naming the tunnel and both ends' state. */
            void problem(String what) {
                failure = what;
                throw new AssertionError(tun + ": " + what);
            }

            End(Tun tun, boolean isClient) {
                this.tun = tun;
                this.isClient = isClient;
                Plan plan = tun.plan;
                this.total = isClient ? plan.up() : plan.down();
                this.out = new Bytes(plan.seed() + (isClient ? 1 : 2));
                this.expected = new Bytes(plan.seed() + (isClient ? 2 : 1));
            }

            End peer() {
                return isClient ? tun.upstream : tun.client;
            }

            void attach(SocketChannel channel, int ops) throws IOException {
                this.channel = channel;
                this.key = channel.register(selector, ops, this);
            }

            void ready(SelectionKey key) {
                try {
                    if (key.isConnectable()) {
                        channel.finishConnect();
                        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        parser = Http1Parser.forResponses();
                        long early = tun.plan.clientEarly();
                        String head = "GET /soak/" + tun.plan.id() + " HTTP/1.1\r\nHost: soak.example\r\n"
                                + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
                        queue(head.getBytes(StandardCharsets.ISO_8859_1), early);
                    }
                    if (key.isValid() && key.isReadable()) {
                        read();
                    }
                    if (!done && key.isValid() && key.isWritable()) {
                        write();
                    }
                } catch (IOException e) {
                    failed(e);
                }
                step();
            }

            /** Moves this end on as far as its plan allows, then records the tunnel if both ends are done. */
            void step() {
                try {
                    advance();
                } catch (IOException e) {
                    failed(e);
                }
                tun.checkDone();
            }

            private void failed(IOException e) {
                if (done) {
                    return;
                }
                if (!isReset(e)) {
                    problem("I/O failed: " + e);
                }
                sawReset = true;
                if (!resetExpected()) {
                    problem("unexpected reset: " + e);
                }
                finish();
            }

            /** Whether this end is the one that should see the other's reset. */
            private boolean resetExpected() {
                Ending ending = tun.plan.ending();
                return isClient ? ending == Ending.UPSTREAM_RESET : ending == Ending.CLIENT_RESET;
            }

            private boolean resetsItself() {
                Ending ending = tun.plan.ending();
                return isClient ? ending == Ending.CLIENT_RESET : ending == Ending.UPSTREAM_RESET;
            }

            /** Queues a head and then {@code early} payload bytes, to go out in one write. */
            void queue(byte[] head, long early) {
                ByteBuffer buffer = ByteBuffer.allocate(head.length + (int) early);
                buffer.put(head);
                byte[] payload = new byte[(int) early];
                out.next(payload, payload.length);
                sentDigest.update(payload);
                sent += early;
                buffer.put(payload).flip();
                pending = buffer;
                interest();
            }

            void read() throws IOException {
                ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
                for (int rounds = 0; rounds < 4; rounds++) {
                    int n = channel.read(buffer.clear());
                    if (n < 0) {
                        eof = true;
                        onEof();
                        return;
                    }
                    if (n == 0) {
                        return;
                    }
                    buffer.flip();
                    if (isClient && !switched) {
                        ParseResult<ResponseHead> result = parser.parse(buffer);
                        headLength += buffer.position(); // the parser consumed the head's bytes, or all
                        if (result instanceof ParseResult.Complete<ResponseHead> complete) {
                            if (complete.head().status() != 101) {
                                problem("expected 101 but the proxy answered " + complete.head());
                            }
                            switched = true;
                            established();
                            pokes.add(tun.upstream); // it may reset now
                        } else if (!(result instanceof ParseResult.NeedMore)) {
                            problem("the proxy's answer did not parse: " + result);
                        }
                    }
                    consume(buffer);
                }
            }

            /** Checks payload bytes against the stream the other end generated. */
            private void consume(ByteBuffer buffer) {
                int n = buffer.remaining();
                if (n == 0) {
                    return;
                }
                long peerTotal = peer().total;
                if (received + n > peerTotal) {
                    problem("received " + (received + n) + " bytes of a " + peerTotal + "-byte stream: duplicated bytes");
                }
                byte[] got = new byte[n];
                buffer.get(got);
                byte[] want = new byte[n];
                expected.next(want, n);
                int mismatch = Arrays.mismatch(got, want);
                if (mismatch >= 0) {
                    problem("byte " + (received + mismatch) + " differs: lost, duplicated or reordered bytes");
                }
                receivedDigest.update(got);
                received += n;
            }

            private void onEof() {
                if (resetExpected()) {
                    problem("a clean end of stream where a reset was expected, after " + received + " bytes");
                } else if (received != peer().total) {
                    problem("end of stream after " + received + " of " + peer().total + " bytes");
                }
            }

            void write() throws IOException {
                while (pending != null) {
                    channel.write(pending);
                    if (pending.hasRemaining()) {
                        return;
                    }
                    pending = null;
                    long allowed = allowance() - sent;
                    if (allowed > 0) {
                        int n = (int) Math.min(CHUNK, allowed);
                        byte[] payload = new byte[n];
                        out.next(payload, n);
                        sentDigest.update(payload);
                        sent += n;
                        pending = ByteBuffer.wrap(payload);
                    }
                }
            }

            /** How many payload bytes this end may have sent by now. */
            private long allowance() {
                Plan plan = tun.plan;
                boolean open = isClient ? switched : true;
                if (!open || !barrierOpen && tun.plan.id() < concurrency) {
                    return sent; // before the switch, or while the first wave is still opening
                }
                if (resetsItself()) {
                    return Math.min(total, plan.resetAfter());
                }
                boolean second = isClient ? plan.ending() == Ending.UPSTREAM_FIN_FIRST
                        : plan.ending() == Ending.CLIENT_FIN_FIRST;
                if (second && !eof) {
                    return Math.min(total, plan.beforeFin());
                }
                return total;
            }

            /** After any event: start writing, half-close, reset or finish as the plan says. */
            void advance() throws IOException {
                if (done || channel == null || !channel.isConnected()) {
                    return; // not yet connected, or an upstream end whose connection has not come in
                }
                if (!barrierOpen && tun.plan.id() < concurrency) {
                    interest(); // the first wave moves no payload, FIN or reset until every tunnel is open
                    return;
                }
                if (pending == null && allowance() > sent) {
                    pending = ByteBuffer.allocate(0);
                    write();
                }
                boolean allSent = pending == null && sent == allowance();
                if (resetsItself()) {
                    boolean handshakeDone = isClient ? switched : tun.client.switched;
                    if (allSent && sent == Math.min(total, tun.plan.resetAfter()) && handshakeDone) {
                        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                        resetDone = true;
                        finish();
                        return;
                    }
                } else if (!resetExpected() && allSent && sent == total && !finSent && (isClient ? switched : true)) {
                    boolean first = isClient ? tun.plan.ending() == Ending.CLIENT_FIN_FIRST
                            : tun.plan.ending() == Ending.UPSTREAM_FIN_FIRST;
                    if (first || eof) {
                        channel.shutdownOutput();
                        finSent = true;
                    }
                }
                if (finSent && eof) {
                    finish();
                    return;
                }
                interest();
            }

            void interest() {
                if (key == null || !key.isValid() || done) {
                    return;
                }
                int ops = eof || sawReset ? 0 : SelectionKey.OP_READ;
                if (pending != null || allowance() > sent) {
                    ops |= SelectionKey.OP_WRITE;
                }
                key.interestOps(ops);
            }

            void finish() {
                if (!done) {
                    done = true;
                    close();
                    if (isClient && !switched) {
                        handshaking--;
                    }
                    pokes.add(peer());
                }
            }

            void close() {
                if (key != null) {
                    key.cancel();
                }
                if (channel != null) {
                    try {
                        channel.close();
                    } catch (IOException e) {
                        // nothing more to do
                    }
                }
            }

            @Override
            public String toString() {
                return "sent=" + sent + "/" + total + " received=" + received + " fin=" + finSent + " eof=" + eof
                        + " reset=" + sawReset + "/" + resetDone + " done=" + done + (failure == null ? "" : " " + failure);
            }
        }

        /** The soak's proxy log: counts switches and keeps each tunnel's outcome; anything else is unexpected. */
        final class SoakLog extends OutputStream {
            final AtomicInteger switches = new AtomicInteger();
            final Map<Integer, String> outcomes = new ConcurrentHashMap<>();
            private final List<String> unexpected = new ArrayList<>();
            private final StringBuilder line = new StringBuilder();
            private final PrintStream stream = new PrintStream(this, true, StandardCharsets.UTF_8);

            PrintStream stream() {
                return stream;
            }

            @Override
            public synchronized void write(int b) {
                if (b != '\n') {
                    line.append((char) b);
                    return;
                }
                String text = line.toString();
                line.setLength(0);
                Matcher m = OUTCOME.matcher(text);
                if (m.find()) {
                    outcomes.put(Integer.parseInt(m.group(1)), m.group(2) + "," + m.group(3) + "," + m.group(4));
                } else if (text.contains(" -> 101 tunnel websocket")) {
                    switches.incrementAndGet();
                } else if (!text.startsWith("listening on ") && !text.startsWith("relay: ") && unexpected.size() < 20) {
                    unexpected.add(text);
                }
            }

            synchronized List<String> unexpected() {
                return List.copyOf(unexpected);
            }

            void awaitOutcomes(int count) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (outcomes.size() < count) {
                    if (System.nanoTime() - deadline > 0) {
                        fail("expected " + count + " tunnel outcomes in the proxy's log within 30 s but got "
                                + outcomes.size());
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
            }
        }

        /** A deterministic byte stream: whoever reads it with the same seed gets the same bytes. */
        static final class Bytes {
            private final SplittableRandom random;
            private final byte[] block = new byte[8192];
            private int at = block.length;

            Bytes(long seed) {
                this.random = new SplittableRandom(seed);
            }

            void next(byte[] dst, int n) {
                int off = 0;
                while (off < n) {
                    if (at == block.length) {
                        random.nextBytes(block);
                        at = 0;
                    }
                    int k = Math.min(n - off, block.length - at);
                    System.arraycopy(block, at, dst, off, k);
                    at += k;
                    off += k;
                }
            }
        }
    }

    /** Heap in use after a full collection: what the process retains, garbage excluded. */
    private static long heapAfterGc() {
        ManagementFactory.getMemoryMXBean().gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static boolean isReset(IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("reset") || message.contains("Broken pipe");
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
