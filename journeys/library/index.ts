import { fileURLToPath } from 'node:url';

/** The folder of the journeys shipped with Nudge: one YAML document per journey. */
export const journeyLibraryDir: string = fileURLToPath(new URL('./', import.meta.url));
