package dev.orpo.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.RunIds;
import dev.orpo.model.generate.GenerationConfig;
import dev.orpo.model.generate.PromptSample;
import dev.orpo.model.generate.PromptSamples;
import dev.orpo.model.generate.SamplingConfig;
import dev.orpo.model.text.ChatMessage;
import dev.orpo.stages.train.TrainStage;
import dev.orpo.store.ObjectStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Files;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /chat}: a reply from the run's merged model ({@code runs/<id>/merged/}, readable once {@code _COMPLETE}
 * exists; downloaded once into {@code orpo.work-dir/chat/<id>/} and kept loaded by {@link ChatModels}), the conversation
 * rendered with the model's chat template. Greedy unless {@code temperature} &gt; 0. 404 while the run has no merged
 * model. Requests are served one at a time (the model runs on all the cores it has).
 */
@Path("/chat")
public class ChatResource {
    /** 64 new tokens: the seed's generation length and eval.max_new_tokens' default. */
    static final int DEFAULT_MAX_NEW_TOKENS = 64;

    /** The request body. */
    public record ChatRequest(@JsonProperty("run_id") String runId, List<ChatMessage> messages,
                              @JsonProperty("max_new_tokens") Integer maxNewTokens, Double temperature) {
    }

    /** The reply: text, token count and why generation stopped. */
    public record ChatReply(@JsonProperty("run_id") String runId, String reply, int tokens,
                            @JsonProperty("stop_reason") String stopReason) {
    }

    @Inject
    ObjectStore store;

    @Inject
    ChatModels models;

    @ConfigProperty(name = "orpo.work-dir")
    java.nio.file.Path workDir;

    @POST
    public synchronized ChatReply chat(ChatRequest request) {
        if (request == null || request.runId() == null || !RunIds.isValid(request.runId())) {
            throw new BadRequestException("run_id is missing or not a run id");
        }
        if (request.messages() == null || request.messages().isEmpty()) {
            throw new BadRequestException("messages must hold at least one {role, content}");
        }
        int maxNew = request.maxNewTokens() == null ? DEFAULT_MAX_NEW_TOKENS : request.maxNewTokens();
        if (maxNew < 1) {
            throw new BadRequestException("max_new_tokens must be >= 1, got " + maxNew);
        }
        double temperature = request.temperature() == null ? 0.0 : request.temperature();
        if (temperature < 0) {
            throw new BadRequestException("temperature must be >= 0, got " + temperature);
        }
        java.nio.file.Path dir = merged(request.runId());
        TrainStage.gradModeOffOnThisThread();
        SamplingConfig sampling = temperature == 0 ? SamplingConfig.GREEDY
                : new SamplingConfig(temperature, 0, 1.0, 0);
        return models.with(request.runId(), dir, loaded -> {
            // the chat template, BOS as in training, stops on EOS and end-of-turn tokens: as orpo chat does
            PromptSample reply = new PromptSamples(loaded.model(), loaded.tokenizer(), loaded.manager()).reply(
                    "chat", request.messages(), new GenerationConfig(maxNew, Set.of(), sampling), token -> { });
            return new ChatReply(request.runId(), reply.reply(), reply.tokens().length,
                    reply.stopReason().name().toLowerCase(java.util.Locale.ROOT));
        });
    }

    /** The merged model directory, downloaded on first use; 404 when the run has none (yet). */
    private java.nio.file.Path merged(String runId) {
        ObjectStoreLayout layout = new ObjectStoreLayout(store.bucket());
        String prefix = layout.mergedPrefix(runId);
        if (!store.exists(prefix + ObjectStoreLayout.COMPLETE)) {
            throw new NotFoundException("run " + runId + " has no merged model (yet)");
        }
        java.nio.file.Path dir = workDir.resolve("chat").resolve(runId);
        if (!Files.isRegularFile(dir.resolve(ObjectStoreLayout.COMPLETE))) {
            // top-level files only: merged/step-<n>/ holds other targets
            for (String key : store.list(prefix)) {
                String name = key.substring(prefix.length());
                if (!name.contains("/") && !name.startsWith("_")) { // not the _COMPLETE / _PUBLISHED markers
                    store.getFile(key, dir.resolve(name));
                }
            }
            store.getFile(prefix + ObjectStoreLayout.COMPLETE, dir.resolve(ObjectStoreLayout.COMPLETE));
        }
        return dir;
    }
}
