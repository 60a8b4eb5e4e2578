// `chat`: an interactive conversation with an instruct model on stdin/stdout. Each line the user
// writes is a message; the reply streams to stdout. The conversation stays in the session's KV
// cache, so a turn prefills only its new tokens. Works the same with piped stdin (a script of
// messages), which is how it is tested.
#include "chat/history.hpp"
#include "chat/turn.hpp"
#include "commands.hpp"
#include "model_path.hpp"
#include "settings.hpp"

#include "edge_rt/runtime.hpp"

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <boost/program_options.hpp>
#include <csignal>
#include <cstdio>
#include <fmt/format.h>
#include <iostream>
#include <optional>
#include <random>
#include <unistd.h>

namespace po = boost::program_options;

namespace edge_rt::cli {
namespace {

struct ChatOptions {
    RunSettings settings;
    std::filesystem::path model;
    std::optional<std::string> system;
    std::string template_name; // empty: the model's own
    TurnSettings turn;
};

po::options_description chat_options()
{
    po::options_description opts("chat options");
    opts.add_options()
        ("help,h", "show this help")
        ("system", po::value<std::string>(), "system prompt (default: the template's own, if it has one)")
        ("chat-template", po::value<std::string>(),
         fmt::format("prompt format instead of the model's own: {}", ChatTemplate::names()).c_str())
        ("max-tokens,n", po::value<std::size_t>()->default_value(512), "tokens to generate at most per reply")
        ("no-special", "write special tokens typed in a message (<|im_start|>) as plain text instead of parsing them")
        ("verbose,v", "print the plan, and per reply the tokens prefilled (new and carried over) and the context used");
    opts.add(settings_options(true));
    return opts;
}

ChatOptions to_options(const po::variables_map& vm)
{
    ChatOptions o;
    o.settings = resolve_settings(vm);
    o.model = o.settings.model ? *o.settings.model : default_model_path();
    o.turn.sampling = sampling_config(o.settings, std::random_device{}());
    if (vm.count("system"))
        o.system = vm["system"].as<std::string>();
    if (vm.count("chat-template"))
        o.template_name = vm["chat-template"].as<std::string>();
    o.turn.max_tokens = vm["max-tokens"].as<std::size_t>();
    o.turn.special = vm.count("no-special") == 0;
    o.turn.verbose = vm.count("verbose") > 0;
    return o;
}

Model load(asio::io_context& io, const ChatOptions& o)
{
    RuntimeConfig config = o.settings.runtime;
    config.monitor.on_change = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
    bool done = false;
    std::exception_ptr error;
    Model model;
    async_load(io, o.model.string(), std::move(config), [&](std::exception_ptr e, Model m) {
        error = e;
        model = std::move(m);
        done = true;
    });
    run_until(io, done);
    if (error)
        std::rethrow_exception(error);
    return model;
}

// Reads messages until EOF or /exit: a slash command, or a message to reply to.
void converse(TurnContext& t)
{
    const bool tty = ::isatty(STDIN_FILENO) != 0;
    std::string line;
    while (true) {
        if (tty) {
            fmt::print("> ");
            std::fflush(stdout);
        }
        if (!std::getline(std::cin, line))
            break; // EOF (Ctrl-D), or Ctrl-C at the prompt
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty())
            continue;
        if (line == "/exit" || line == "/quit")
            break;
        if (line == "/reset") {
            t.history.reset();
            t.session.reset();
            fmt::print(stderr, "[the conversation was reset]\n");
            continue;
        }
        if (line.front() == '/' && line.find(' ') == std::string::npos) {
            fmt::print(stderr, "[unknown command {}: /reset forgets the conversation, /exit ends the chat]\n", line);
            continue;
        }
        t.history.add_user(line);
        reply(t);
    }
}

int chat(const ChatOptions& o)
{
    asio::io_context io(1);
    asio::signal_set interrupt(io, SIGINT); // before anything is printed: Ctrl-C is ours from here
    Model model = load(io, o);
    std::exception_ptr error;
    try {
        if (!model.info().has_tokenizer)
            throw ConfigError(fmt::format("chat needs a tokenizer, and this model has none ({})",
                                          model.info().tokenizer_error));
        auto tmpl = ChatTemplate::for_model(model, o.template_name);
        if (o.turn.verbose)
            fmt::print(stderr, "{}\n", model.explain_plan());
        fmt::print(stderr, "[chat with {} ({} template, {}); /reset forgets the conversation, /exit ends; "
                           "Ctrl-C ends a reply]\n",
                   model.info().name, tmpl.name(), tmpl.source());
        Session session(model, {.ctx_size = o.settings.runtime.ctx_size});
        ChatHistory history(std::move(tmpl), o.system);
        TurnContext t{io, interrupt, session, history, o.turn};
        converse(t);
    } catch (...) {
        error = std::current_exception();
    }
    model = {}; // the engine shuts down on the io_context: run it until nothing is left
    interrupt.cancel();
    io.restart();
    io.run();
    if (error)
        std::rethrow_exception(error);
    return 0;
}

} // namespace

int chat_command(const std::vector<std::string>& args)
{
    const auto opts = chat_options();
    po::positional_options_description pos;
    pos.add("model", 1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << "Usage: edge-rt-async chat [MODEL | -m MODEL] [--system TEXT] [--chat-template NAME] [options]\n\n"
                     "A conversation with an instruct model: each line on stdin is a message, the reply\n"
                     "streams to stdout (stdin may be a pipe: a script of messages). The model's chat\n"
                     "template (GGUF tokenizer.chat_template or tokenizer_config.json) formats it, or\n"
                     "--chat-template NAME. The conversation stays in the KV cache: each reply prefills\n"
                     "only the new message. A reply ends at the template's end-of-turn token or after -n\n"
                     "tokens. Special tokens in messages are parsed (--no-special: plain text).\n\n"
                     "  /reset   forget the conversation (the system prompt stays)\n"
                     "  /exit    end the chat (also /quit, or end of input: Ctrl-D)\n"
                     "  Ctrl-C   during a reply: end the reply, keep chatting\n\n"
                     "When the context is full, the oldest exchanges are dropped (the system prompt stays)\n"
                     "and the rest of the conversation is read again; stderr says so.\n"
                     "Compute threads default to the CPUs this process may use (-t).\n\n"
                  << opts;
        return 0;
    }
    return chat(to_options(vm));
}

} // namespace edge_rt::cli
