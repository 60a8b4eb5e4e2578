// Stop strings matched across token boundaries: a token's text is held back while it could
// still be the start of a stop string, so a client never sees part of one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace edge_rt::serve {

class StopMatcher {
public:
    /// `stops` are the strings that end a generation (empty strings are ignored).
    explicit StopMatcher(std::vector<std::string> stops);

    /// What feeding one token's text gives.
    struct Step {
        std::string emit;     ///< text that is now safe to send
        bool stopped = false; ///< a stop string was completed; `emit` ends just before it
    };

    /// Adds `text`. After a stop, further text is ignored.
    Step feed(std::string_view text);

    /// The text still held back (a possible stop-string prefix), for when generation ends
    /// without a stop; empty after a stop.
    std::string finish();

    /// True once a stop string was matched.
    bool stopped() const { return stopped_; }

private:
    std::vector<std::string> stops_;
    std::string pending_;
    bool stopped_ = false;
};

} // namespace edge_rt::serve
