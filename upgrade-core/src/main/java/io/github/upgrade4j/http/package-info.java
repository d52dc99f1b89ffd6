/**
 * The HTTP/1.x message-head model, its strict parser and writer, and body framing.
 *
 * <ul>
 *   <li>{@link io.github.upgrade4j.http.HeaderName}, {@link io.github.upgrade4j.http.HeaderField},
 *       {@link io.github.upgrade4j.http.Headers}: validated, immutable fields in wire order (RFC 9110 §5).
 *   <li>{@link io.github.upgrade4j.http.FieldList}: the one list tokenizer for comma-separated fields
 *       (RFC 9110 §5.6.1), used for every list-valued field, and
 *       {@link io.github.upgrade4j.http.ParameterizedElement}, an element with parameters (RFC 9110
 *       §5.6.6) and its quoted-string values (§5.6.4).
 *   <li>{@link io.github.upgrade4j.http.RequestHead}, {@link io.github.upgrade4j.http.ResponseHead}:
 *       start line plus fields (RFC 9112 §3, §4).
 *   <li>{@link io.github.upgrade4j.http.Http1Parser}: incremental and strict; reports where a head ends
 *       so that the bytes behind it are never lost (RFC 9112 §2–§5).
 *   <li>{@link io.github.upgrade4j.http.Http1Writer}: exact serialisation, field-name spelling kept.
 *   <li>{@link io.github.upgrade4j.http.BodyFraming}: the message-body length rules of RFC 9112 §6.3.
 * </ul>
 *
 * <p>This package does not read or write sockets, decode bodies or interpret field semantics beyond
 * framing; those belong to the caller and to the other packages of this module.
 */
@NullMarked
package io.github.upgrade4j.http;

import org.jspecify.annotations.NullMarked;
