// TEMPORARY until the generator lands (helper-1 replaces this file).
export async function ensureSample(_dir: string): Promise<void> {
  throw new Error('sample generator not built yet');
}
