// Decodes GPP strings with IAB Tech Lab's own library (@iabgpp/cmpapi), for tests/consent/test_gpp_iab_decode.py:
// reads a JSON array of strings on standard input, writes a JSON array with, for each, the section ids of its
// header and its US National section's fields as IAB's decoder reads them (or the decoder's error).
import { GppModel } from "@iabgpp/cmpapi";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const strings = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const decoded = strings.map((text) => {
  try {
    const model = new GppModel(text);
    return { sectionIds: model.getSectionIds(), usnat: model.getSection("usnat") };
  } catch (error) {
    return { error: String(error) };
  }
});
process.stdout.write(JSON.stringify(decoded));
