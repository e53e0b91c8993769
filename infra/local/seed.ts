import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Junior, Mentor, Story } from '../../shared/domain/directory';
import type { DirectoryStore } from '../../shared/ports/directory-store';

/** A small demo directory for `npm start`: made-up people, no personal data. */
export const DEMO_DIRECTORY: { juniors: Junior[]; mentors: Mentor[]; stories: Story[] } = {
  juniors: [
    { id: 'junior-ada', name: 'Ada (demo)', skills: [{ area: 'typescript', level: 2 }] },
    { id: 'junior-brook', name: 'Brook (demo)', skills: [{ area: 'aws', level: 1 }] },
    { id: 'junior-cyd', name: 'Cyd (demo)', skills: [{ area: 'react', level: 2 }] },
  ],
  mentors: [
    {
      id: 'mentor-grace',
      name: 'Grace (demo)',
      skills: [
        { area: 'typescript', level: 5 },
        { area: 'aws', level: 4 },
      ],
      maxConcurrentSessions: 3,
      available: true,
    },
    { id: 'mentor-linus', name: 'Linus (demo)', skills: [{ area: 'aws', level: 5 }], maxConcurrentSessions: 2, available: true },
    {
      id: 'mentor-margaret',
      name: 'Margaret (demo)',
      skills: [
        { area: 'react', level: 4 },
        { area: 'typescript', level: 3 },
      ],
      maxConcurrentSessions: 3,
      available: true,
    },
  ],
  stories: [
    { id: 'story-101', title: 'Add pagination to the orders API', skillArea: 'typescript' },
    { id: 'story-102', title: 'Move the nightly job to EventBridge', skillArea: 'aws' },
    { id: 'story-103', title: 'Accessible date picker', skillArea: 'react' },
  ],
};

/** Seeds the demo directory once per data directory: a marker item records that it ran. */
export async function seedDemoDirectoryOnce(db: DynamoDBDocumentClient, tableName: string, directory: DirectoryStore): Promise<boolean> {
  try {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'SEED#demo-directory', sk: 'SEED', entity: 'seed', seededAt: new Date().toISOString() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
  for (const junior of DEMO_DIRECTORY.juniors) await directory.put('junior', junior);
  for (const mentor of DEMO_DIRECTORY.mentors) await directory.put('mentor', mentor);
  for (const story of DEMO_DIRECTORY.stories) await directory.put('story', story);
  return true;
}
