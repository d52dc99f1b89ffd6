package io.github.upgrade4j.hop;

import io.github.upgrade4j.http.RequestHead;

/** Test shorthand: a request as the policy strips it and {@link ForwardedFields} extend it, in one editor pass. */
final class Edits {
    private Edits() {}

    static RequestHead forwarded(ForwardedFields fields, RequestHead request, String clientAddress) {
        Forwarding.Forward forward = (Forwarding.Forward) HopByHopPolicy.standard().forRequest(request);
        return request.withHeaders(forward.edit().forwarded(fields, request, clientAddress).build());
    }
}
