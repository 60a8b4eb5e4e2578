// The built-in chat renderers against the text each model's own Jinja template produces for a
// two-turn conversation. The expected strings were written by hand from the templates in the
// model cards (quoted below, as the models ship them) and Hugging Face's rendering rules
// (trim_blocks and lstrip_blocks: a newline right after a `%}` tag is dropped, one after `}}`
// is kept); two templates come from real files in ../shared.
#include "chat/chat_template.hpp"

#include "model/gguf.hpp"
#include "env.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace edge_rt::chat {
namespace {

const SpecialTexts kLlama{"<s>", "</s>"};

// system + user, assistant, user: the conversation every renderer is checked on.
std::vector<Message> two_turns(bool with_system)
{
    std::vector<Message> m;
    if (with_system)
        m.push_back({"system", "You are a pirate."});
    m.push_back({"user", "Hello!"});
    m.push_back({"assistant", "Arr, hello."});
    m.push_back({"user", "Where is the gold?"});
    return m;
}

Template of(TemplateKind kind)
{
    Template t;
    t.kind = kind;
    return t;
}

Template detected(std::string_view jinja)
{
    auto t = detect_template(jinja);
    if (!t)
        throw std::runtime_error("template not recognised");
    return *t;
}

// TinyLlama-1.1B-Chat-v1.0 (zephyr).
constexpr std::string_view kZephyrJinja =
    "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\\n' + message['content'] + "
    "eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\\n' + message['content'] + eos_token }}\n"
    "{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\\n'  + message['content'] + eos_token }}\n"
    "{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";

// Meta-Llama-3-8B-Instruct.
constexpr std::string_view kLlama3Jinja =
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + "
    "message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 "
    "%}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ "
    "'<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

// Llama-2-7b-chat-hf.
constexpr std::string_view kLlama2Jinja =
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = "
    "messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif "
    "%}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ "
    "raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if "
    "loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + "
    "'\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if "
    "message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] "
    "== 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

// gemma-2b-it.
constexpr std::string_view kGemmaJinja =
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% "
    "endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ "
    "raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if "
    "(message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif "
    "%}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if "
    "add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}";

// Mistral-7B-Instruct-v0.2.
constexpr std::string_view kMistralJinja =
    "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ "
    "raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if "
    "message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == "
    "'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles "
    "are supported!') }}{% endif %}{% endfor %}";

// Phi-3-mini-4k-instruct (the later release, with a system role and no BOS).
constexpr std::string_view kPhi3Jinja =
    "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\\n' + message['content'] + "
    "'<|end|>\\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\\n' + message['content'] + '<|end|>\\n'}}{% elif "
    "message['role'] == 'assistant' %}{{'<|assistant|>\\n' + message['content'] + '<|end|>\\n'}}{% endif %}{% "
    "endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}";

TEST(ChatTemplate, Zephyr)
{
    const auto t = detected(kZephyrJinja);
    EXPECT_EQ(t.kind, TemplateKind::Zephyr);
    EXPECT_EQ(render(t, two_turns(true), true, kLlama),
              "<|system|>\nYou are a pirate.</s>\n<|user|>\nHello!</s>\n<|assistant|>\nArr, hello.</s>\n"
              "<|user|>\nWhere is the gold?</s>\n<|assistant|>\n");
}

TEST(ChatTemplate, Llama3TrimsContent)
{
    const auto t = detected(kLlama3Jinja);
    EXPECT_EQ(t.kind, TemplateKind::Llama3);
    auto conv = two_turns(true);
    conv[1].content = "  Hello!\n"; // `| trim`
    const SpecialTexts sp{"<|begin_of_text|>", "<|end_of_text|>"};
    EXPECT_EQ(render(t, conv, true, sp),
              "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a pirate.<|eot_id|>"
              "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\nArr, hello.<|eot_id|>"
              "<|start_header_id|>user<|end_header_id|>\n\nWhere is the gold?<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\n");
    EXPECT_EQ(end_of_turn(t.kind, sp), "<|eot_id|>");
}

TEST(ChatTemplate, Llama2PutsTheSystemPromptInTheFirstInstruction)
{
    const auto t = detected(kLlama2Jinja);
    EXPECT_EQ(t.kind, TemplateKind::Llama2);
    EXPECT_EQ(render(t, two_turns(true), true, kLlama),
              "<s>[INST] <<SYS>>\nYou are a pirate.\n<</SYS>>\n\nHello! [/INST] Arr, hello. </s>"
              "<s>[INST] Where is the gold? [/INST]");
    EXPECT_EQ(render(t, two_turns(false), true, kLlama),
              "<s>[INST] Hello! [/INST] Arr, hello. </s><s>[INST] Where is the gold? [/INST]");
}

TEST(ChatTemplate, GemmaCallsTheAssistantModel)
{
    const auto t = detected(kGemmaJinja);
    EXPECT_EQ(t.kind, TemplateKind::Gemma);
    const SpecialTexts sp{"<bos>", "<eos>"};
    EXPECT_EQ(render(t, two_turns(false), true, sp),
              "<bos><start_of_turn>user\nHello!<end_of_turn>\n<start_of_turn>model\nArr, hello.<end_of_turn>\n"
              "<start_of_turn>user\nWhere is the gold?<end_of_turn>\n<start_of_turn>model\n");
    // No system role in the template: it goes before the first user message, as llama.cpp does.
    EXPECT_TRUE(render(t, two_turns(true), false, sp)
                    .starts_with("<bos><start_of_turn>user\nYou are a pirate.\n\nHello!<end_of_turn>\n"));
}

TEST(ChatTemplate, Mistral)
{
    const auto t = detected(kMistralJinja);
    EXPECT_EQ(t.kind, TemplateKind::Mistral);
    EXPECT_EQ(render(t, two_turns(false), true, kLlama),
              "<s>[INST] Hello! [/INST]Arr, hello.</s>[INST] Where is the gold? [/INST]");
}

TEST(ChatTemplate, Phi3WithSystemRole)
{
    const auto t = detected(kPhi3Jinja);
    EXPECT_EQ(t.kind, TemplateKind::Phi3);
    EXPECT_FALSE(t.bos_prefix);
    EXPECT_EQ(render(t, two_turns(true), true, kLlama),
              "<|system|>\nYou are a pirate.<|end|>\n<|user|>\nHello!<|end|>\n<|assistant|>\nArr, hello.<|end|>\n"
              "<|user|>\nWhere is the gold?<|end|>\n<|assistant|>\n");
    EXPECT_TRUE(render(t, two_turns(true), false, kLlama).ends_with("gold?<|end|>\n</s>"));
}

TEST(ChatTemplate, RolesMustAlternateWhereTheTemplateSaysSo)
{
    std::vector<Message> twice{{"user", "a"}, {"user", "b"}};
    for (auto kind : {TemplateKind::Llama2, TemplateKind::Mistral, TemplateKind::Gemma})
        EXPECT_THROW(render(of(kind), twice, true, kLlama), std::invalid_argument);
    EXPECT_NO_THROW(render(of(TemplateKind::ChatML), twice, true, kLlama));
    std::vector<Message> tool{{"tool", "x"}};
    try {
        render(of(TemplateKind::ChatML), tool, true, kLlama);
        FAIL() << "an unknown role was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("'tool'"), std::string::npos) << e.what();
    }
}

TEST(ChatTemplate, NamesAndAliases)
{
    for (auto kind : {TemplateKind::Llama2, TemplateKind::Llama3, TemplateKind::ChatML, TemplateKind::Zephyr,
                      TemplateKind::Phi3, TemplateKind::Gemma, TemplateKind::Mistral})
        EXPECT_EQ(template_from_name(template_name(kind)), kind);
    EXPECT_EQ(template_from_name("tinyllama"), TemplateKind::Zephyr);
    EXPECT_EQ(template_from_name("llama-3"), TemplateKind::Llama3);
    EXPECT_FALSE(template_from_name("vicuna"));
    EXPECT_EQ(template_names(), "llama2, llama3, chatml, zephyr, phi3, gemma, mistral");
    EXPECT_FALSE(detect_template("{{ messages[0]['content'] }}"));
}

// Qwen2's own tokenizer_config.json: a default system prompt and the assistant header written
// after every user message.
TEST(ChatTemplate, Qwen2TemplateFromItsTokenizerConfig)
{
    const auto path = std::filesystem::path(test::required_env("EDGE_RT_SHARED_MODELS")) / ".." / "tokenizers" /
                      "qwen2" / "tokenizer_config.json";
    if (!std::filesystem::exists(path))
        GTEST_SKIP() << path << " is absent";
    std::ifstream in(path);
    const auto jinja = nlohmann::json::parse(in).at("chat_template").get<std::string>();
    const auto t = detected(jinja);
    EXPECT_EQ(t.kind, TemplateKind::ChatML);
    ASSERT_TRUE(t.default_system);
    EXPECT_EQ(*t.default_system, "You are a helpful assistant.");
    const SpecialTexts none{};
    EXPECT_EQ(render(t, two_turns(true), true, none),
              "<|im_start|>system\nYou are a pirate.<|im_end|>\n<|im_start|>user\nHello!<|im_end|>\n"
              "<|im_start|>assistant\nArr, hello.<|im_end|>\n<|im_start|>user\nWhere is the gold?<|im_end|>\n"
              "<|im_start|>assistant\n");
    EXPECT_TRUE(render(t, two_turns(false), true, none)
                    .starts_with("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"));
}

// The first Phi-3 release's template, from llama.cpp's phi-3 vocabulary file: BOS first.
TEST(ChatTemplate, Phi3FirstReleaseFromItsGguf)
{
    const auto path = std::filesystem::path(test::required_env("EDGE_RT_SHARED_MODELS")) / ".." / "tokenizers" /
                      "llama.cpp-vocab-tests" / "ggml-vocab-phi-3.gguf";
    if (!std::filesystem::exists(path))
        GTEST_SKIP() << path << " is absent";
    const auto jinja = model::read_gguf(path).get_string("tokenizer.chat_template");
    ASSERT_TRUE(jinja);
    const auto t = detected(*jinja);
    EXPECT_EQ(t.kind, TemplateKind::Phi3);
    EXPECT_TRUE(t.bos_prefix);
    EXPECT_EQ(render(t, two_turns(false), true, kLlama),
              "<s><|user|>\nHello!<|end|>\n<|assistant|>\nArr, hello.<|end|>\n<|user|>\nWhere is the gold?<|end|>\n"
              "<|assistant|>\n");
}

TEST(ChatTemplate, DefaultSystemPromptFromALiteral)
{
    const std::string jinja =
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ "
        "'<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}"
        "{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
        "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    EXPECT_EQ(default_system_prompt(jinja), "You are a helpful AI assistant named SmolLM, trained by Hugging Face");
    EXPECT_FALSE(default_system_prompt(kZephyrJinja));
}

} // namespace
} // namespace edge_rt::chat
