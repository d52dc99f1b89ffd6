package io.github.upgrade4j.hop;

import io.github.upgrade4j.http.BodyFraming;
import io.github.upgrade4j.http.HeaderField;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import io.github.upgrade4j.http.HttpVersion;
import io.github.upgrade4j.http.RequestHead;
import java.util.Arrays;
import java.util.Objects;

/**
 * Composes the head a proxy sends, in one pass over the received lines: the lines the
 * {@link HopByHopPolicy} keeps, then the proxy's own {@code Connection}, {@code Upgrade}, forwarding
 * fields ({@link ForwardedFields}), framing ({@code Transfer-Encoding}) and anything else it sets,
 * adds or removes. Nothing is built until {@link #build()}, which makes the one {@link Headers} the
 * proxy writes; the policy's decision is never applied twice and no example re-derives
 * {@code Connection}.
 *
 * <pre>{@code
 * Forwarding.Forward forward = (Forwarding.Forward) policy.forRequest(request);
 * HeadEditor edit = forward.edit()
 *         .connection(UpstreamConnection.KEEP_ALIVE)      // plus "te" when TE: trailers is forwarded
 *         .forwarded(fields, request, clientAddress)      // X-Forwarded-*, Forwarded, Via
 *         .requestBody(BodyFraming.ofRequest(request));   // a chunked body stays chunked
 * send(request.withHeaders(edit.build()));
 * }</pre>
 *
 * <p>{@link #set} replaces the first line of its name in place and drops the others (kept received
 * lines included), appending when there is none; {@link #add} appends; {@link #remove} drops every
 * kept line of the name. What the editor writes is never checked by the policy again: the proxy's own
 * lines cannot be removed by a client's nomination (CVE-2022-31813, CVE-2024-45410). Values are
 * validated as they are given ({@link IllegalArgumentException} for a control character); received
 * lines, validated by the parser, are copied as they are.
 *
 * <p>Not thread-safe: one editor per head. This class does not decide whether to upgrade
 * ({@code ProxyUpgrade} does) and does not copy bodies.
 */
public final class HeadEditor {
    private static final byte SET = 1;
    private static final byte ADD = 2;
    private static final byte REMOVE = 3;
    /** A SET already written in place by the build in progress. */
    private static final byte SET_WRITTEN = 4;

    private final Forwarding.Forward base;
    private HeaderName[] names = new HeaderName[6];
    private String[] values = new String[6];
    private byte[] kinds = new byte[6];
    private int size;
    private boolean chunked;
    private boolean persists = true;
    private boolean advertises;

    HeadEditor(Forwarding.Forward base) {
        this.base = base;
    }

    /**
     * Sets the proxy's own {@code Connection} line: {@code connection}'s value, plus {@code te} when the
     * policy forwards {@code TE: trailers} (RFC 9110 §10.1.4 requires its sender to nominate it). It
     * replaces the {@code Connection: upgrade} of a relayed 101, in its place.
     *
     * @param connection what the proxy asks of the connection it sends the head on
     * @return this editor
     */
    public HeadEditor connection(UpstreamConnection connection) {
        Objects.requireNonNull(connection, "connection");
        String value = base.teTrailers() ? connection.value() + ", te" : connection.value();
        return op(SET, HeaderName.CONNECTION, value, true);
    }

    /**
     * Advertises {@code protocols} in a response that is not a 101, such as a 426 (Upgrade Required,
     * which must carry {@code Upgrade}, RFC 9110 §15.5.22) or a 200 that announces TLS: appends
     * {@code Upgrade: protocols} and makes the {@code Connection} line carry {@code upgrade}, which
     * {@link #responseBody} keeps beside its own {@code close} (RFC 9110 §7.8: a sender of
     * {@code Upgrade} must nominate it). {@code ProxyUpgrade} calls it for the protocols the proxy would
     * forward itself.
     *
     * @param protocols the protocols, as an {@code Upgrade} value ({@code websocket}, {@code TLS/1.2, HTTP/1.1})
     * @return this editor
     * @throws IllegalArgumentException if {@code protocols} is not a valid field value
     */
    public HeadEditor advertise(String protocols) {
        op(ADD, HeaderName.UPGRADE, protocols, false);
        advertises = true;
        return op(SET, HeaderName.CONNECTION, "upgrade", true);
    }

    /**
     * Makes {@code name: value} the only line of that name, in place of the first one; see the class doc.
     *
     * @param name the field name, compared ignoring ASCII case
     * @param value the field value, without surrounding whitespace
     * @return this editor
     * @throws IllegalArgumentException if {@code value} is not a valid field value
     */
    public HeadEditor set(HeaderName name, String value) {
        return op(SET, name, value, false);
    }

    /**
     * Appends {@code name: value} after every kept line.
     *
     * @param name the field name
     * @param value the field value, without surrounding whitespace
     * @return this editor
     * @throws IllegalArgumentException if {@code value} is not a valid field value
     */
    public HeadEditor add(HeaderName name, String value) {
        return op(ADD, name, value, false);
    }

    /**
     * Drops every kept line named {@code name}, e.g. {@code Expect} once the proxy answered it itself.
     *
     * @param name the field name, compared ignoring ASCII case
     * @return this editor
     */
    public HeadEditor remove(HeaderName name) {
        return op(REMOVE, Objects.requireNonNull(name, "name"), "", true);
    }

    /**
     * Writes the forwarding fields of {@code fields} for {@code request}, received from
     * {@code clientAddress} (e.g. {@code InetAddress.getHostAddress()}); see {@link ForwardedFields}.
     *
     * @param fields which forwarding fields to write, and how
     * @param request the head received from the client
     * @param clientAddress the client's address as text
     * @return this editor
     * @throws IllegalArgumentException if {@code clientAddress} is not visible ASCII without spaces,
     *     commas or quotes
     */
    public HeadEditor forwarded(ForwardedFields fields, RequestHead request, String clientAddress) {
        fields.writeTo(this, request, clientAddress);
        return this;
    }

    /**
     * Frames a request body for an HTTP/1.1 upstream from the received request's {@code framing}: a
     * chunked body is sent chunked ({@code Transfer-Encoding: chunked}; the policy removed the
     * received line with its other codings); a {@code Content-Length}, protected, is already kept.
     *
     * @param framing the framing of the received request, from {@link BodyFraming#ofRequest}
     * @return this editor
     */
    public HeadEditor requestBody(BodyFraming framing) {
        return framing instanceof BodyFraming.Chunked ? op(SET, HeaderName.TRANSFER_ENCODING, "chunked", true) : this;
    }

    /**
     * Frames a response for the client of {@code request} and decides whether that connection
     * persists (RFC 9112 §9.3), writing the proxy's own {@code Connection}: the client always gets
     * HTTP/1.1 framing, so a body delimited by the upstream's close, or chunked, goes chunked to an
     * HTTP/1.1 client and the connection may persist; an HTTP/1.0 client gets the body as it comes and
     * {@code Connection: close}, since a proxy does not keep its connection on the strength of
     * {@code keep-alive}. Read the outcome with {@link #chunked()} and {@link #persists()}.
     *
     * @param request the head received from the client, whose version and {@code Connection} count
     * @param framing the framing of the upstream's response, from {@link BodyFraming#ofResponse}
     * @param mustClose whether the client connection must close anyway (after an answer to an upgrade:
     *     pass {@code Verdict.Plain.closeClient()}); false lets the persistence decision remove a
     *     {@code Connection: close} written before
     * @return this editor
     * @throws IllegalArgumentException for {@link BodyFraming.Tunnel} or {@link BodyFraming.Invalid}
     */
    public HeadEditor responseBody(RequestHead request, BodyFraming framing, boolean mustClose) {
        if (framing instanceof BodyFraming.Tunnel || framing instanceof BodyFraming.Invalid) {
            throw new IllegalArgumentException("expected the framing of a plain response but was " + framing
                    + ": a 101 opens a tunnel (its edit() is ready as it is), and an invalid framing is a 502");
        }
        boolean http10Client = request.version() == HttpVersion.HTTP_1_0;
        boolean untilClose = framing instanceof BodyFraming.UntilClose;
        boolean chunkedBody = framing instanceof BodyFraming.Chunked;
        chunked = (chunkedBody || untilClose) && !http10Client;
        persists = !mustClose && Persistence.persists(request, true) && (chunked || !chunkedBody && !untilClose);
        if (chunked) {
            op(SET, HeaderName.TRANSFER_ENCODING, "chunked", true);
        }
        if (advertises) {
            return op(SET, HeaderName.CONNECTION, persists ? "upgrade" : "upgrade, close", true);
        }
        return persists ? remove(HeaderName.CONNECTION) : op(SET, HeaderName.CONNECTION, "close", true);
    }

    /** {@return whether {@link #responseBody} chose chunked framing toward the client} False before it ran. */
    public boolean chunked() {
        return chunked;
    }

    /**
     * {@return whether the client connection persists after the response, as {@link #responseBody} decided}
     * True before it ran.
     */
    public boolean persists() {
        return persists;
    }

    /**
     * {@return the head's fields, built in one pass} The received lines kept come first, in order, then
     * the lines added. The editor stays usable.
     */
    public Headers build() {
        Headers received = base.received();
        Headers.Builder out = Headers.builder();
        int connectionAt = base.connectionUpgradeAt();
        for (int i = 0; i < received.size(); i++) {
            if (i == connectionAt) {
                emit(out, HeaderName.CONNECTION, "upgrade");
            }
            if (base.keeps(i)) {
                emit(out, received, i);
            }
        }
        if (connectionAt == received.size()) {
            emit(out, HeaderName.CONNECTION, "upgrade");
        }
        if (base.teTrailers()) {
            emit(out, HeaderName.TE, "trailers");
        }
        for (int j = 0; j < size; j++) {
            if (kinds[j] == ADD || kinds[j] == SET) {
                out.add(names[j], values[j]);
            } else if (kinds[j] == SET_WRITTEN) {
                kinds[j] = SET; // written in place during this build; the editor stays usable
            }
        }
        return out.build();
    }

    /** Copies received line {@code i} unless an edit drops or replaces it. */
    private void emit(Headers.Builder out, Headers received, int i) {
        int edit = editOf(received.name(i));
        if (edit < 0) {
            out.addFrom(received, i);
        } else {
            replace(out, edit);
        }
    }

    /** Writes a line of the policy's own unless an edit drops or replaces it. */
    private void emit(Headers.Builder out, HeaderName name, String value) {
        int edit = editOf(name);
        if (edit < 0) {
            out.add(name, value);
        } else {
            replace(out, edit);
        }
    }

    private void replace(Headers.Builder out, int edit) {
        if (kinds[edit] == SET) {
            out.add(names[edit], values[edit]);
            kinds[edit] = SET_WRITTEN; // the other lines of the name are dropped; build() resets the mark
        }
    }

    /** The live SET or REMOVE of {@code name} (there is at most one; cancelled edits are 0), or -1. */
    private int editOf(HeaderName name) {
        for (int j = 0; j < size; j++) {
            byte kind = kinds[j];
            if ((kind == SET || kind == SET_WRITTEN || kind == REMOVE) && names[j].equals(name)) {
                return j;
            }
        }
        return -1;
    }

    /** Records an edit; {@code trusted} for the editor's own constant values, which need no check. */
    private HeadEditor op(byte kind, HeaderName name, String value, boolean trusted) {
        Objects.requireNonNull(name, "name");
        if (!trusted) {
            new HeaderField(name, value); // validated now, so that a bad value fails where it was given
        }
        if (kind != ADD) {
            for (int j = 0; j < size; j++) { // a SET or REMOVE of a name cancels every earlier edit of it
                if (names[j].equals(name)) {
                    kinds[j] = 0;
                }
            }
        }
        if (size == names.length) {
            names = Arrays.copyOf(names, size * 2);
            values = Arrays.copyOf(values, size * 2);
            kinds = Arrays.copyOf(kinds, size * 2);
        }
        names[size] = name;
        values[size] = value;
        kinds[size++] = kind;
        return this;
    }
}
