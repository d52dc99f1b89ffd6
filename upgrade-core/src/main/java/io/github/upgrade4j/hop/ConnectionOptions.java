package io.github.upgrade4j.hop;

import io.github.upgrade4j.http.FieldList;
import io.github.upgrade4j.http.HeaderName;
import io.github.upgrade4j.http.Headers;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Connection} field of one head as {@link HopByHopPolicy} reads it (RFC 9110 §7.6.1): every
 * option over every line, those a nomination may remove (not protected), the notices for protected
 * ones, or the refusal for a malformed list or a nomination of a field protected with
 * {@link Protection#REFUSE}. Read in one pass over the names, which also notes {@code TE} and
 * {@code Upgrade} for the rules that depend on them.
 */
final class ConnectionOptions {
    final List<HeaderName> options;
    final List<HeaderName> nominated;
    final List<Forwarding.Notice> notices;
    final boolean hasTe;
    final boolean hasUpgrade;
    final Forwarding.@Nullable Refuse refusal;

    private ConnectionOptions(List<HeaderName> options, List<HeaderName> nominated, List<Forwarding.Notice> notices,
            boolean hasTe, boolean hasUpgrade, Forwarding.@Nullable Refuse refusal) {
        this.options = options;
        this.nominated = nominated;
        this.notices = notices;
        this.hasTe = hasTe;
        this.hasUpgrade = hasUpgrade;
        this.refusal = refusal;
    }

    private static ConnectionOptions refused(Forwarding.Refuse refusal) {
        return new ConnectionOptions(List.of(), List.of(), List.of(), false, false, refusal);
    }

    static ConnectionOptions read(Headers headers, HopByHopPolicy policy, int maxOptions, int refusalStatus) {
        int connectionLines = 0;
        @Nullable String firstConnection = null;
        boolean hasTe = false;
        boolean hasUpgrade = false;
        for (int i = 0; i < headers.size(); i++) {
            HeaderName name = headers.name(i);
            if (name.equals(HeaderName.CONNECTION)) {
                firstConnection = connectionLines++ == 0 ? headers.value(i) : firstConnection;
            } else if (name.equals(HeaderName.TE)) {
                hasTe = true;
            } else if (name.equals(HeaderName.UPGRADE)) {
                hasUpgrade = true;
            }
        }
        if (connectionLines == 0) {
            return new ConnectionOptions(List.of(), List.of(), List.of(), hasTe, hasUpgrade, null);
        }
        List<String> tokens;
        if (connectionLines == 1 && FieldList.isToken(firstConnection)) {
            tokens = List.of(firstConnection); // the usual one option, e.g. "Upgrade", read without a list
        } else {
            FieldList parsed = FieldList.parse(headers.values(HeaderName.CONNECTION), FieldList.Element.TOKEN,
                    maxOptions);
            if (parsed instanceof FieldList.Malformed malformed) {
                Refusal reason = malformed.problem() == FieldList.Problem.TOO_MANY_ELEMENTS
                        ? Refusal.TOO_MANY_CONNECTION_OPTIONS
                        : Refusal.MALFORMED_CONNECTION;
                return refused(new Forwarding.Refuse(reason, "Connection: " + malformed.detail(), refusalStatus));
            }
            tokens = ((FieldList.Valid) parsed).elements();
        }
        List<HeaderName> options = new ArrayList<>(tokens.size());
        List<Forwarding.Notice> notices = List.of();
        for (int t = 0; t < tokens.size(); t++) {
            String token = tokens.get(t);
            HeaderName option = HeaderName.of(token); // a token is a field name; compared by hash from here on
            options.add(option);
            Protection protection = policy.protectionOf(option);
            if (protection == Protection.REFUSE) {
                return refused(new Forwarding.Refuse(Refusal.PROTECTED_FIELD_NOMINATED, "expected Connection to"
                        + " nominate only connection-specific fields but it nominated the protected field " + token,
                        refusalStatus));
            }
            if (protection == Protection.KEEP_AND_REPORT) {
                if (notices.isEmpty()) {
                    notices = new ArrayList<>(2);
                }
                notices.add(new Forwarding.Notice(Forwarding.NoticeKind.PROTECTED_FIELD_NOMINATED,
                        "Connection nominated the protected field " + token + "; the field was kept"));
            }
        }
        List<HeaderName> nominated = options;
        if (!notices.isEmpty()) { // the protected options stay out of the nominations
            nominated = new ArrayList<>(options.size());
            for (int i = 0; i < options.size(); i++) {
                if (policy.protectionOf(options.get(i)) == null) {
                    nominated.add(options.get(i));
                }
            }
        }
        return new ConnectionOptions(options, nominated, notices, hasTe, hasUpgrade, null);
    }
}
