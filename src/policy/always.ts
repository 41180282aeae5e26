import { z } from 'zod';
import { definePolicy } from './factory.ts';

/** Pin a Shift deployment to one mode: the baselines inside one deployment's memory layout. */
export const alwaysTp = definePolicy({
  name: 'always-tp',
  summary: 'always the full-TP shift model',
  params: z.object({}).strict(),
  create: () => ({ name: 'always-tp', decide: () => 'tp' }),
});

export const alwaysSp = definePolicy({
  name: 'always-sp',
  summary: 'always the SP base model',
  params: z.object({}).strict(),
  create: () => ({ name: 'always-sp', decide: () => 'sp' }),
});
